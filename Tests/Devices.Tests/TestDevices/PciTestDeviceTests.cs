using Devices.TestDevices;

namespace Devices.Tests.TestDevices;

/// <summary>pci-testdev's header and counting rules (the guest-level test is Guest/tests/testdev.c, run on QEMU and emu).</summary>
public class PciTestDeviceTests
{
    private const ulong Offset0 = PciTestDevice.MemoryBarSize / 2;

    [Fact]
    public void IdentityAndBarsAreQemus()
    {
        var d = new PciTestDevice(0xFEBF_F000, 0xFF00);

        Assert.Equal(0x0005_1B36u, d.ReadConfig(0, 4));
        Assert.Equal(0x00FF_0000u, d.ReadConfig(8, 4));
        Assert.Equal(0u, d.ReadConfig(0x3D, 1));
        Assert.Equal(0xFEBF_F000UL, d.BarAddress(0));
        Assert.True(d.BarIsIo(1));
        Assert.Equal(PciTestDevice.IoBarSize, d.BarSize(1));
    }

    [Fact]
    public void SelectedTestHeaderNamesItAndCountsMatchingBytes()
    {
        var d = new PciTestDevice(0xFEBF_F000, 0xFF00);
        d.WriteBar(0, 0, 1, 0);

        Assert.Equal(0x800u, (uint)d.ReadBar(0, 4, 4));
        Assert.Equal(PciTestHeader.MatchedByte, (byte)d.ReadBar(0, 8, 1));
        Assert.Equal("mmio-no-eventfd", Name(d, 0));

        d.WriteBar(0, Offset0, 1, 0xFA);
        d.WriteBar(0, Offset0, 1, 0x11); // not the matched byte
        d.WriteBar(0, Offset0 + 1, 1, 0xFA); // not the offset
        d.WriteBar(0, Offset0, 2, 0x00FA); // a byte at a time: the low byte counts
        d.WriteBar(0, Offset0 + 1, 2, 0xFAFA); // unaligned: dropped
        Assert.Equal(2u, (uint)d.ReadBar(0, 12, 4));
    }

    [Fact]
    public void EventNotifierTestsLoseTheirOneByteWritesAndTheIoBarSelectsTestsThreeToFive()
    {
        var d = new PciTestDevice(0xFEBF_F000, 0xFF00);
        d.WriteBar(1, 0, 1, 1); // portio-wildcard-eventfd

        Assert.Equal(4, d.CurrentTest);
        Assert.Equal("portio-wildcard-eventfd", Name(d, 1));
        ulong offset = d.ReadBar(1, 4, 4);
        Assert.Equal(PciTestDevice.IoBarSize / 2 + 4, (uint)offset);
        d.WriteBar(1, offset, 1, 0x33);
        Assert.Equal(0u, (uint)d.ReadBar(1, 12, 4));
        d.WriteBar(1, offset, 2, 0x33); // a word is not the notifier's width: the device counts any byte
        Assert.Equal(1u, (uint)d.ReadBar(1, 12, 4));

        d.WriteBar(1, 0, 1, 3); // no such test
        Assert.Equal(-1, d.CurrentTest);
        Assert.Equal(0UL, d.ReadBar(0, 0, 8));
    }

    private static string Name(PciTestDevice d, int bar)
    {
        var name = new System.Text.StringBuilder();
        for (ulong i = 16; d.ReadBar(bar, i, 1) is var b && b != 0; i++)
        {
            name.Append((char)b);
        }

        return name.ToString();
    }
}
