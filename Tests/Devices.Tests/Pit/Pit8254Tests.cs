using Devices.Pit;
using Devices.Tests.Support;
using Mmu.Io;

namespace Devices.Tests.Pit;

public class Pit8254Tests
{
    private static (Pit8254 Pit, PortSpace Ports, RecordingLine Irq, FakeCpuClock Cpu) Create()
    {
        var cpu = new FakeCpuClock();
        var irq = new RecordingLine();
        var pit = new Pit8254(cpu.Clock, irq);
        var ports = new PortSpace();
        pit.Register(ports);
        new SystemControlPort(pit, cpu.Clock).Register(ports);
        return (pit, ports, irq, cpu);
    }

    private static int LatchAndRead(PortSpace ports, int channel)
    {
        ports.Out(0x43, 1, (uint)(channel << 6)); // counter latch command
        int lo = (int)ports.In((ushort)(0x40 + channel), 1);
        int hi = (int)ports.In((ushort)(0x40 + channel), 1);
        return lo | (hi << 8);
    }

    [Fact]
    public void Mode2RateGeneratorInterruptsEveryPeriod()
    {
        (Pit8254 pit, PortSpace ports, RecordingLine irq, FakeCpuClock cpu) = Create();
        ports.Out(0x43, 1, 0x34); // channel 0, lobyte/hibyte, mode 2
        ports.Out(0x40, 1, 1193 & 0xFF);
        ports.Out(0x40, 1, 1193 >> 8); // ~1 ms
        cpu.Advance(10_000_000); // 10 ms
        Assert.InRange(irq.RisingEdges, 9, 10);
        Assert.Equal(irq.RisingEdges, pit.Interrupts);
    }

    [Fact]
    public void LatchedCountDecreasesWithVirtualTime()
    {
        (Pit8254 _, PortSpace ports, RecordingLine _, FakeCpuClock cpu) = Create();
        ports.Out(0x43, 1, 0x34);
        ports.Out(0x40, 1, 0x00);
        ports.Out(0x40, 1, 0x00); // 65536
        cpu.Advance(100_000); // 100 us = ~119 ticks
        int first = LatchAndRead(ports, 0);
        Assert.InRange(first, 65536 - 121, 65536 - 118);
        cpu.Advance(1_000_000);
        int second = LatchAndRead(ports, 0);
        Assert.InRange(first - second, 1190, 1196);
    }

    [Fact]
    public void Mode3SquareWaveCountsDownByTwo()
    {
        (Pit8254 _, PortSpace ports, RecordingLine irq, FakeCpuClock cpu) = Create();
        ports.Out(0x43, 1, 0x36); // channel 0, lobyte/hibyte, mode 3
        ports.Out(0x40, 1, 0xE8);
        ports.Out(0x40, 1, 0x03); // 1000
        cpu.Advance(PitChannel.TicksToNs(10));
        Assert.Equal(1000 - 20, LatchAndRead(ports, 0));
        cpu.Advance(PitChannel.TicksToNs(5000));
        Assert.InRange(irq.RisingEdges, 5, 6);
    }

    [Fact]
    public void Channel2Mode0RaisesOut2OnPort61AfterTheCount()
    {
        // Linux's PIT TSC calibration: gate on, speaker off, mode 0, then poll OUT2 in port 0x61 bit 5.
        (Pit8254 _, PortSpace ports, RecordingLine _, FakeCpuClock cpu) = Create();
        ports.Out(0x61, 1, (ports.In(0x61, 1) & ~0x02u) | 0x01u);
        ports.Out(0x43, 1, 0xB0); // channel 2, lobyte/hibyte, mode 0
        ports.Out(0x42, 1, 0xFF);
        ports.Out(0x42, 1, 0x00); // 255 ticks
        Assert.Equal(0u, ports.In(0x61, 1) & 0x20);
        cpu.Advance(PitChannel.TicksToNs(254));
        Assert.Equal(0u, ports.In(0x61, 1) & 0x20);
        cpu.Advance(PitChannel.TicksToNs(2));
        Assert.Equal(0x20u, ports.In(0x61, 1) & 0x20);
        Assert.Equal(0x01u, ports.In(0x61, 1) & 0x03);
    }

    [Fact]
    public void GateLowHoldsChannel2()
    {
        (Pit8254 _, PortSpace ports, RecordingLine _, FakeCpuClock cpu) = Create();
        ports.Out(0x61, 1, 0x00);
        ports.Out(0x43, 1, 0xB0);
        ports.Out(0x42, 1, 0x10);
        ports.Out(0x42, 1, 0x00);
        cpu.Advance(1_000_000);
        Assert.Equal(0x10, LatchAndRead(ports, 2));
    }

    [Fact]
    public void ReadBackLatchesStatus()
    {
        (Pit8254 _, PortSpace ports, RecordingLine _, FakeCpuClock _) = Create();
        ports.Out(0x43, 1, 0x34);
        ports.Out(0x40, 1, 0x10);
        ports.Out(0x40, 1, 0x00);
        ports.Out(0x43, 1, 0xE2); // read-back: status only, channel 0
        uint status = ports.In(0x40, 1);
        Assert.Equal(0x34u, status & 0x3F); // access 3, mode 2, binary
        Assert.Equal(0x80u, status & 0x80); // OUT high in mode 2
    }
}
