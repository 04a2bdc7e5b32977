using Emulator.Display;
using Emulator.Display.Text;

namespace Emulator.Tests.Display;

public class ConsoleUntilGraphicsSourceTests
{
    [Fact]
    public void ShowsTheConsoleUntilTheGuestSetsAModeAndSwitchingChangesTheVersion()
    {
        var console = new SerialConsoleScreen();
        var graphics = new TestPatternSource(0, 0);
        var shown = new ConsoleUntilGraphicsSource(console, graphics);
        Assert.False(shown.ShowsGraphics);
        Assert.Equal(console.Info, shown.Info);

        graphics.SetMode(320, 200);
        Assert.True(shown.ShowsGraphics);
        Assert.Equal(320, shown.Info.Width);
        Assert.NotEqual(console.Info.Version, shown.Info.Version);

        uint[] pixels = new uint[320 * 200];
        Assert.True(shown.TryCopyTo(pixels, out FrameInfo copied));
        Assert.Equal(shown.Info, copied);
        Assert.Equal(TestPatternSource.Pixel(17, 33, 320, 200), pixels[(33 * 320) + 17]);
    }

    [Fact]
    public void WithoutAGraphicsDeviceTheConsoleIsAlwaysShown()
    {
        var console = new SerialConsoleScreen();
        var shown = new ConsoleUntilGraphicsSource(console, null);
        Assert.Equal(console.Info, shown.Info);
        Assert.True(shown.TryCopyTo(new uint[640 * 400], out FrameInfo copied));
        Assert.Equal(640, copied.Width);
    }
}
