using Devices.Display;
using Emulator.Display;
using Emulator.Display.Integration;

namespace Emulator.Tests.Display;

public class BochsDisplayFrameSourceTests
{
    [Fact]
    public void NothingIsShownUntilTheGuestEnablesVbe()
    {
        var display = new BochsDisplay();
        var frames = new BochsDisplayFrameSource(display);
        Assert.False(frames.Info.HasPixels);
        Assert.False(frames.TryCopyTo(new uint[640 * 480], out _));
    }

    [Fact]
    public void A32BppModeIsCopiedAsTheGuestWroteIt()
    {
        var display = new BochsDisplay();
        SetMode(display, 8, 4, 32);
        var frames = new BochsDisplayFrameSource(display);
        long before = frames.Info.Version;
        display.WriteBar(0, ((2 * 8) + 3) * 4, 4, 0x00123456);
        FrameInfo info = frames.Info;
        Assert.Equal((8, 4), (info.Width, info.Height));
        Assert.NotEqual(before, info.Version);

        uint[] pixels = new uint[32];
        Assert.True(frames.TryCopyTo(pixels, out FrameInfo copied));
        Assert.Equal(info, copied);
        Assert.Equal(0x00123456u, pixels[(2 * 8) + 3]);
        Assert.Equal(31, pixels.Count(p => p == 0));
    }

    [Fact]
    public void SixteenBppPixelsAreWidenedTo8BitsPerChannel()
    {
        var display = new BochsDisplay();
        SetMode(display, 4, 2, 16);
        display.WriteBar(0, 2, 2, 0xF800); // pure red in 5:6:5
        display.WriteBar(0, 4, 2, 0x07E0); // pure green
        uint[] pixels = new uint[8];
        Assert.True(new BochsDisplayFrameSource(display).TryCopyTo(pixels, out _));
        Assert.Equal(0x00FF0000u, pixels[1]);
        Assert.Equal(0x0000FF00u, pixels[2]);
    }

    [Fact]
    public void TheConsoleGivesWayToTheGuestsMode()
    {
        var display = new BochsDisplay();
        var shown = new ConsoleUntilGraphicsSource(new Emulator.Display.Text.SerialConsoleScreen(), new BochsDisplayFrameSource(display));
        Assert.Equal(640, shown.Info.Width);
        SetMode(display, 320, 200, 32);
        Assert.Equal((320, 200), (shown.Info.Width, shown.Info.Height));
    }

    private static void SetMode(BochsDisplay display, int width, int height, int bpp)
    {
        Write(display, 4, 0);
        Write(display, 1, (ushort)width);
        Write(display, 2, (ushort)height);
        Write(display, 3, (ushort)bpp);
        Write(display, 4, 0x41); // enabled, linear framebuffer
    }

    private static void Write(BochsDisplay display, ushort index, ushort value)
    {
        display.Out(BochsDisplay.IndexPort, 2, index);
        display.Out(BochsDisplay.DataPort, 2, value);
    }
}
