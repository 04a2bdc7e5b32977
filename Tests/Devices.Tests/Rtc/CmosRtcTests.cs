using Devices.Rtc;
using Devices.Tests.Support;
using Mmu.Io;

namespace Devices.Tests.Rtc;

public class CmosRtcTests
{
    private static (CmosRtc Rtc, PortSpace Ports, RecordingLine Irq, FakeCpuClock Cpu) Create()
    {
        var cpu = new FakeCpuClock();
        var irq = new RecordingLine();
        var rtc = new CmosRtc(cpu.Clock, irq);
        var ports = new PortSpace();
        rtc.Register(ports);
        return (rtc, ports, irq, cpu);
    }

    private static uint Read(PortSpace ports, int reg)
    {
        ports.Out(0x70, 1, (uint)reg);
        return ports.In(0x71, 1);
    }

    private static void Write(PortSpace ports, int reg, uint value)
    {
        ports.Out(0x70, 1, (uint)reg);
        ports.Out(0x71, 1, value);
    }

    [Fact]
    public void DeterministicClockReadsTheFixedDateInBcd()
    {
        (CmosRtc _, PortSpace ports, RecordingLine _, FakeCpuClock cpu) = Create();
        cpu.Advance(61_500_000_000); // 1 min 1.5 s
        // How Linux's mach_get_cmos_time reads: wait for UIP clear, then the fields.
        while ((Read(ports, 0x0A) & 0x80) != 0)
        {
            cpu.Advance(10_000);
        }

        Assert.Equal(0x01u, Read(ports, 0x00));
        Assert.Equal(0x01u, Read(ports, 0x02));
        Assert.Equal(0x00u, Read(ports, 0x04));
        Assert.Equal(0x01u, Read(ports, 0x07));
        Assert.Equal(0x01u, Read(ports, 0x08));
        Assert.Equal(0x26u, Read(ports, 0x09));
        Assert.Equal(0x20u, Read(ports, 0x32));
    }

    [Fact]
    public void UpdateInProgressShowsInTheLast244MicrosecondsOfASecond()
    {
        (CmosRtc _, PortSpace ports, RecordingLine _, FakeCpuClock cpu) = Create();
        cpu.Advance(999_000_000);
        Assert.Equal(0u, Read(ports, 0x0A) & 0x80);
        cpu.Advance(900_000);
        Assert.Equal(0x80u, Read(ports, 0x0A) & 0x80);
    }

    [Fact]
    public void BinaryAnd12HourFormatsFollowRegisterB()
    {
        (CmosRtc _, PortSpace ports, RecordingLine _, FakeCpuClock cpu) = Create();
        cpu.Advance(13L * 3600 * 1_000_000_000 + (59L * 1_000_000_000)); // 13:00:59
        Write(ports, 0x0B, 0x04); // binary, 12-hour
        Assert.Equal(59u, Read(ports, 0x00));
        Assert.Equal(0x81u, Read(ports, 0x04)); // 1 PM
        Write(ports, 0x0B, 0x00); // BCD, 12-hour
        Assert.Equal(0x59u, Read(ports, 0x00));
        Assert.Equal(0x81u, Read(ports, 0x04));
    }

    [Fact]
    public void PeriodicInterruptOnIrq8IsAcknowledgedByReadingC()
    {
        (CmosRtc rtc, PortSpace ports, RecordingLine irq, FakeCpuClock cpu) = Create();
        Write(ports, 0x0A, 0x26); // 1024 Hz
        Write(ports, 0x0B, Read(ports, 0x0B) | 0x40); // PIE
        Assert.Equal(976_562, rtc.PeriodicIntervalNs);
        cpu.Advance(1_000_000);
        Assert.True(irq.Level);
        Assert.Equal(0xC0u, Read(ports, 0x0C) & 0xC0);
        Assert.False(irq.Level);
        Assert.Equal(0u, Read(ports, 0x0C));
        cpu.Advance(10_000_000);
        Assert.True(irq.Level);
    }

    [Fact]
    public void NmiDisableBitIsLatchedFromTheIndexPort()
    {
        (CmosRtc rtc, PortSpace ports, RecordingLine _, FakeCpuClock _) = Create();
        ports.Out(0x70, 1, 0x8D);
        Assert.True(rtc.NmiDisabled);
        Assert.Equal(0x80u, ports.In(0x71, 1)); // register D: valid time
        ports.Out(0x70, 1, 0x0D);
        Assert.False(rtc.NmiDisabled);
    }

    [Fact]
    public void SettingTheTimeMovesTheClock()
    {
        (CmosRtc rtc, PortSpace ports, RecordingLine _, FakeCpuClock _) = Create();
        Write(ports, 0x0B, 0x82); // SET, 24h, BCD
        Write(ports, 0x04, 0x12);
        Write(ports, 0x09, 0x30);
        Write(ports, 0x0B, 0x02);
        Assert.Equal(12, rtc.Now.Hour);
        Assert.Equal(2030, rtc.Now.Year);
    }
}
