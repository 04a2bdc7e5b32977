using Mmu.Io;
using Mmu.Physical;

namespace Mmu.Tests.Physical;

public class PhysicalBusTests
{
    private sealed class Register : IMmioDevice
    {
        public ulong LastOffset;
        public ulong Value;

        public ulong Read(ulong offset, int size) => Value;

        public void Write(ulong offset, int size, ulong value)
        {
            LastOffset = offset;
            Value = value;
        }
    }

    [Fact]
    public void RamReadsBackWhatWasWritten()
    {
        using var ram = new PhysicalMemory(2 * 1024 * 1024);
        var bus = new PhysicalBus(ram);
        bus.Write(0x1234, 8, 0x1122334455667788);
        Assert.Equal(0x5566_7788UL, bus.Read(0x1234, 4));
        Assert.Equal(0x88UL, bus.Read(0x1234, 1));
    }

    [Fact]
    public void UnmappedReadsAllOnes()
    {
        using var ram = new PhysicalMemory(2 * 1024 * 1024);
        var bus = new PhysicalBus(ram);
        Assert.Equal(0xFFFF_FFFFUL, bus.Read(0x8000_0000, 4));
        bus.Write(0x8000_0000, 4, 1);
        Assert.Equal(1, bus.UnmappedWrites);
    }

    [Fact]
    public void MmioGoesToTheDeviceWithOffset()
    {
        using var ram = new PhysicalMemory(2 * 1024 * 1024);
        var bus = new PhysicalBus(ram);
        var dev = new Register();
        bus.RegisterMmio(0xFEE0_0000, 0x1000, dev);
        bus.Write(0xFEE0_00B0, 4, 7);
        Assert.Equal(0xB0UL, dev.LastOffset);
        Assert.Equal(7UL, bus.Read(0xFEE0_0020, 4));
        Assert.Throws<ArgumentException>(() => bus.RegisterMmio(0xFEE0_0800, 0x1000, new Register()));
    }

    [Fact]
    public void RamAboveThePciHoleMovesTo4GiB()
    {
        using var ram = new PhysicalMemory(0xC000_0000 + 0x10_0000);
        Assert.Equal(0xC000_0000UL, ram.LowSize);
        Assert.Equal(0x10_0000UL, ram.HighSize);
        unsafe
        {
            Assert.True(ram.HostAddressOf(0xC000_0000) == null);
            Assert.True(ram.HostAddressOf(0x1_0000_0000) != null);
        }
    }
}
