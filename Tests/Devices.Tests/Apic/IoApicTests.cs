using Devices.Apic;
using Devices.Tests.Support;

namespace Devices.Tests.Apic;

public class IoApicTests
{
    private static (IoApic IoApic, LocalApic Lapic) Create()
    {
        var lapic = new LocalApic(new FakeCpuClock().Clock);
        lapic.Write(0xF0, 4, 0x1FF);
        return (new IoApic(lapic), lapic);
    }

    private static void WriteRegister(IoApic io, uint reg, uint value)
    {
        io.Write(0x00, 4, reg);
        io.Write(0x10, 4, value);
    }

    private static uint ReadRegister(IoApic io, uint reg)
    {
        io.Write(0x00, 4, reg);
        return (uint)io.Read(0x10, 4);
    }

    [Fact]
    public void VersionReportsTwentyFourEntriesAndAllStartMasked()
    {
        (IoApic io, LocalApic _) = Create();
        Assert.Equal(23u, (ReadRegister(io, 0x01) >> 16) & 0xFF);
        for (int pin = 0; pin < IoApic.Pins; pin++)
        {
            Assert.NotEqual(0u, ReadRegister(io, (uint)(0x10 + (2 * pin))) & 0x10000);
        }
    }

    [Fact]
    public void EdgeIrqIsRoutedToItsVector()
    {
        (IoApic io, LocalApic lapic) = Create();
        WriteRegister(io, 0x10 + (2 * 4), 0x31); // pin 4 -> vector 0x31, fixed, edge, unmasked
        WriteRegister(io, 0x11 + (2 * 4), 0x00000000); // destination APIC 0
        io.Line(4).Set(true);
        Assert.True(lapic.HasPendingInterrupt);
        Assert.Equal(0x31, lapic.Acknowledge());
        Assert.Equal(1, io.DeliveredByPin[4]);
    }

    [Fact]
    public void EdgeOnAMaskedPinIsDropped()
    {
        (IoApic io, LocalApic lapic) = Create();
        WriteRegister(io, 0x10 + (2 * 1), 0x10033);
        io.Line(1).Set(true);
        io.Line(1).Set(false);
        Assert.False(lapic.HasPendingInterrupt);
        WriteRegister(io, 0x10 + (2 * 1), 0x00033);
        Assert.False(lapic.HasPendingInterrupt);
        io.Line(1).Set(true);
        Assert.Equal(0x33, lapic.Acknowledge());
    }

    [Fact]
    public void LevelIrqSetsRemoteIrrUntilEoiBroadcast()
    {
        (IoApic io, LocalApic lapic) = Create();
        WriteRegister(io, 0x10 + (2 * 10), 0x8040); // level-triggered, vector 0x40
        io.Line(10).Set(true);
        Assert.Equal(0x40, lapic.Acknowledge());
        Assert.NotEqual(0u, ReadRegister(io, 0x10 + (2 * 10)) & 0x4000); // remote IRR
        Assert.False(lapic.HasPendingInterrupt);
        io.Line(10).Set(false);
        lapic.Write(0xB0, 4, 0); // EOI broadcasts for a level vector
        Assert.Equal(0u, ReadRegister(io, 0x10 + (2 * 10)) & 0x4000);
        Assert.False(lapic.HasPendingInterrupt);
        io.Line(10).Set(true);
        Assert.Equal(0x40, lapic.Acknowledge());
    }

    [Fact]
    public void WrongDestinationIsNotDelivered()
    {
        (IoApic io, LocalApic lapic) = Create();
        WriteRegister(io, 0x10 + (2 * 3), 0x35);
        WriteRegister(io, 0x11 + (2 * 3), 0x05000000); // APIC ID 5 does not exist
        io.Line(3).Set(true);
        Assert.False(lapic.HasPendingInterrupt);
    }
}
