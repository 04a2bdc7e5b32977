using Emulator.Display.Layout;

namespace Emulator.Tests.Display;

public class ViewportLayoutTests
{
    [Theory]
    // Same aspect: the frame fills the window.
    [InlineData(1280, 960, 640, 480, false, 0, 0, 1280, 960)]
    // A wide window: pillarbox, bars left and right.
    [InlineData(1920, 1080, 640, 480, false, 240, 0, 1440, 1080)]
    // A tall window: letterbox, bars above and below.
    [InlineData(800, 1000, 800, 600, false, 0, 200, 800, 600)]
    // A smaller window shrinks the frame, keeping the aspect.
    [InlineData(400, 400, 800, 600, false, 0, 50, 400, 300)]
    // Rounding: 1024 * 400 / 640 = 640 exactly; 1000 * 3 / 4 = 750.
    [InlineData(1000, 800, 640, 480, false, 0, 25, 1000, 750)]
    public void FitKeepsTheAspectRatioAndCentres(int ww, int wh, int fw, int fh, bool integer, int x, int y, int w, int h)
    {
        Assert.Equal(new Viewport(x, y, w, h), ViewportLayout.Fit(ww, wh, fw, fh, integer));
    }

    [Theory]
    // 1920x1080 holds 640x480 twice (2x = 1280x960), not 2.25 times.
    [InlineData(1920, 1080, 640, 480, 320, 60, 1280, 960)]
    // Exactly three times.
    [InlineData(1920, 1200, 640, 400, 0, 0, 1920, 1200)]
    // Just under 2x in one direction: 1x, centred.
    [InlineData(1279, 2000, 640, 480, 319, 760, 640, 480)]
    // Smaller than the frame: integer scaling cannot hold, so it shrinks like the fractional fit.
    [InlineData(320, 240, 640, 480, 0, 0, 320, 240)]
    public void IntegerScalingUsesTheLargestWholeMultipleThatFits(int ww, int wh, int fw, int fh, int x, int y, int w, int h)
    {
        Assert.Equal(new Viewport(x, y, w, h), ViewportLayout.Fit(ww, wh, fw, fh, integerScaling: true));
    }

    [Fact]
    public void NoFrameOrAMinimisedWindowGivesTheWholeWindowOrNothing()
    {
        Assert.Equal(new Viewport(0, 0, 800, 600), ViewportLayout.Fit(800, 600, 0, 0, false));
        Assert.Equal(new Viewport(0, 0, 0, 0), ViewportLayout.Fit(0, 0, 640, 480, true));
    }

    [Fact]
    public void TheViewportNeverLeavesTheWindowAndKeepsTheAspectWithinAPixel()
    {
        var random = new Random(9);
        for (int i = 0; i < 2000; i++)
        {
            int ww = random.Next(1, 4000);
            int wh = random.Next(1, 3000);
            int fw = random.Next(1, 2600);
            int fh = random.Next(1, 1700);
            bool integer = random.Next(2) == 0;
            Viewport v = ViewportLayout.Fit(ww, wh, fw, fh, integer);
            Assert.InRange(v.X, 0, ww);
            Assert.InRange(v.Y, 0, wh);
            Assert.True(v.X + v.Width <= ww && v.Y + v.Height <= wh, $"{v} outside {ww}x{wh}");
            Assert.True(v.Width == ww || v.Height == wh || integer, $"{v} touches no edge of {ww}x{wh}");
            // Width/height against fw/fh, within one pixel of rounding in the shorter side.
            double expectedHeight = (double)v.Width * fh / fw;
            Assert.True(Math.Abs(expectedHeight - v.Height) <= 1 || Math.Abs(((double)v.Height * fw / fh) - v.Width) <= 1, $"{v} distorts {fw}x{fh}");
        }
    }
}
