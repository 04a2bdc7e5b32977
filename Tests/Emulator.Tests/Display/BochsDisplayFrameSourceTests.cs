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

    [Fact]
    public void AnUpdateCopiesOnlyTheRowsOnPagesTheGuestWrote()
    {
        // 1024x768x32: one row is exactly one 4 KiB page.
        var display = new BochsDisplay();
        SetMode(display, 1024, 768, 32);
        IFrameSource frames = new BochsDisplayFrameSource(display);
        uint[] pixels = new uint[1024 * 768];
        Assert.True(frames.TryUpdate(pixels, default, out FrameInfo first, out RowRange all));
        Assert.Equal(RowRange.All(768), all);

        display.WriteBar(0, ((100 * 1024) + 5) * 4, 4, 0x00ABCDEF);
        display.WriteBar(0, ((102 * 1024) + 7) * 4, 4, 0x00123456);
        Assert.True(frames.TryUpdate(pixels, first, out FrameInfo second, out RowRange changed));
        Assert.Equal(new RowRange(100, 3), changed);
        Assert.Equal(0x00ABCDEFu, pixels[(100 * 1024) + 5]);
        Assert.Equal(0x00123456u, pixels[(102 * 1024) + 7]);

        // Nothing written since: nothing to copy. A write across a page boundary dirties both rows.
        Assert.True(frames.TryUpdate(pixels, second, out FrameInfo third, out RowRange none));
        Assert.True(none.IsEmpty);
        display.WriteBar(0, (200 * 4096) - 2, 4, 0x11223344);
        Assert.True(frames.TryUpdate(pixels, third, out FrameInfo fourth, out RowRange straddling));
        Assert.Equal(new RowRange(199, 2), straddling);

        // What the caller holds is not this source's last frame: the whole frame is copied.
        Assert.True(frames.TryUpdate(pixels, default, out _, out RowRange again));
        Assert.Equal(RowRange.All(768), again);
        Assert.NotEqual(fourth.Version, first.Version);
    }

    [Fact]
    public void AnUpdateAfterAModeChangeCopiesTheWholeFrame()
    {
        var display = new BochsDisplay();
        SetMode(display, 64, 32, 32);
        IFrameSource frames = new BochsDisplayFrameSource(display);
        uint[] pixels = new uint[64 * 64];
        Assert.True(frames.TryUpdate(pixels, default, out FrameInfo held, out _));
        display.Out(BochsDisplay.IndexPort, 2, 4);
        display.Out(BochsDisplay.DataPort, 2, 0);
        SetMode(display, 64, 64, 32);
        Assert.True(frames.TryUpdate(pixels, held, out FrameInfo copied, out RowRange changed));
        Assert.Equal((64, 64), (copied.Width, copied.Height));
        Assert.Equal(RowRange.All(64), changed);
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
