using Devices.Display;
using Mmu.Io;

namespace Devices.Tests.Display;

public class BochsDisplayTests
{
    private static void Dispi(PortSpace ports, ushort index, ushort value)
    {
        ports.Out(0x1CE, 2, index);
        ports.Out(0x1CF, 2, value);
    }

    private static uint DispiRead(PortSpace ports, ushort index)
    {
        ports.Out(0x1CE, 2, index);
        return ports.In(0x1CF, 2);
    }

    private static (BochsDisplay Display, PortSpace Ports) Create()
    {
        var display = new BochsDisplay();
        var ports = new PortSpace();
        display.RegisterPorts(ports);
        return (display, ports);
    }

    [Fact]
    public void IdentifiesAsTheLatestDispiVersionWithSixteenMegabytes()
    {
        (BochsDisplay _, PortSpace ports) = Create();
        Assert.Equal(0xB0C5u, DispiRead(ports, 0));
        Assert.Equal(256u, DispiRead(ports, 0xA));
    }

    [Fact]
    public void SetsA1024x768x32ModeWithTheLinearFramebuffer()
    {
        // The sequence of Linux's bochs-drm and QEMU's VBE drivers: disable, geometry, enable with LFB.
        (BochsDisplay display, PortSpace ports) = Create();
        Dispi(ports, 4, 0);
        Dispi(ports, 1, 1024);
        Dispi(ports, 2, 768);
        Dispi(ports, 3, 32);
        Dispi(ports, 4, 0x41);
        DisplayMode mode = display.Mode;
        Assert.True(mode.Enabled);
        Assert.Equal((1024, 768, 32, 4096), (mode.Width, mode.Height, mode.BitsPerPixel, mode.Stride));
        Assert.Equal(1024u, DispiRead(ports, 6));
        Assert.Equal(0x41u, DispiRead(ports, 4));

        long before = display.Version;
        display.WriteBar(0, (ulong)((10 * 4096) + (20 * 4)), 4, 0x00FF8040);
        Assert.NotEqual(before, display.Version);
        Assert.Equal(0x00FF8040u, display.ReadPixel(20, 10));
    }

    [Fact]
    public void SupportsAtLeast1280x1024x32AndRefusesTooLargeModes()
    {
        (BochsDisplay display, PortSpace ports) = Create();
        Dispi(ports, 1, 1280);
        Dispi(ports, 2, 1024);
        Dispi(ports, 3, 32);
        Dispi(ports, 4, 0x41);
        Assert.True(display.Mode.Enabled);
        Dispi(ports, 4, 0);
        Dispi(ports, 1, 4000);
        Dispi(ports, 4, 0x41);
        Assert.False(display.Mode.Enabled);
    }

    [Fact]
    public void GetCapsReportsTheMaximumGeometry()
    {
        (BochsDisplay _, PortSpace ports) = Create();
        Dispi(ports, 4, 0x02);
        Assert.True(DispiRead(ports, 1) >= 1280);
        Assert.True(DispiRead(ports, 2) >= 1024);
        Assert.Equal(32u, DispiRead(ports, 3));
    }

    [Fact]
    public void EnableClearsVideoMemoryUnlessNoClearMem()
    {
        (BochsDisplay display, PortSpace ports) = Create();
        display.WriteBar(0, 0, 4, 0xDEADBEEF);
        Dispi(ports, 4, 0xC1); // LFB + NOCLEARMEM
        Assert.Equal(0xEF, display.VideoMemory[0]);
        Dispi(ports, 4, 0);
        Dispi(ports, 4, 0x41);
        Assert.Equal(0, display.VideoMemory[0]);
    }
}
