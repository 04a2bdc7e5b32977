using System.Diagnostics;
using DisplayHost;
using Emulator.Display;
using Emulator.Display.Imaging;
using TestSupport;

namespace Emulator.Tests.Display;

/// <summary>
/// The window end to end under Xvfb and Mesa's software OpenGL: a child process opens the window on a test
/// pattern, and the test reads the X server's pixels back and compares them with the pattern; it types with
/// xdotool and checks the scancodes that come out, changes the mode, and closes the window.
/// </summary>
public class WindowEndToEndTests
{
    private const int ScreenWidth = 800;
    private const int ScreenHeight = 600;

    [Fact]
    public void WithoutADisplayTheWindowSaysSoInOneLine()
    {
        using var host = DisplayHostProcess.Start(display: null);
        string line = host.WaitFor("NOWINDOW");
        Assert.Equal(3, host.WaitForExit());
        Assert.Contains("no display", line);
    }

    [Fact]
    public void TheWindowShowsTheFrameFollowsModeChangesAndSendsKeys()
    {
        using XvfbServer x = XvfbServer.Start(ScreenWidth, ScreenHeight);
        string xdotool = ExternalTool.Require("xdotool", "the end-to-end test types into the window");
        using var host = DisplayHostProcess.Start(x.Display, "--pattern", "320", "200", "--window", "640", "400", "--integer");

        // 320x200 at exactly 2x fills the 640x400 window; without a window manager the window sits at (0, 0).
        Assert.Equal("PRESENTED 320x200", host.WaitFor("PRESENTED"));
        AssertScreenShowsPattern(x.Display, new Rect(0, 0, 640, 400), 320, 200, host);

        // The screenshot is the frame as the guest drew it, pixel for pixel.
        string shot = Path.Combine(Path.GetTempPath(), $"emu-window-{Environment.ProcessId}.png");
        try
        {
            host.Send("screenshot " + shot);
            host.WaitFor("SHOT");
            (int w, int h, uint[] pixels) = PngReader.Read(shot);
            Assert.Equal((320, 200), (w, h));
            Assert.Equal(Pattern(320, 200), pixels);
        }
        finally
        {
            File.Delete(shot);
        }

        // A key typed into the window comes out as set-2 make and break codes.
        x.Xdotool(xdotool, "mousemove", "20", "20", "key", "a");
        Assert.Equal("SCANCODES 1C", host.WaitFor("SCANCODES"));
        Assert.Equal("SCANCODES F01C", host.WaitFor("SCANCODES"));
        x.Xdotool(xdotool, "key", "Up");
        Assert.Equal("SCANCODES E075", host.WaitFor("SCANCODES"));
        Assert.Equal("SCANCODES E0F075", host.WaitFor("SCANCODES"));

        // A mode change: 200x150 fits twice into 640x400 (integer scaling), centred with black bars.
        host.Send("mode 200 150");
        Assert.Equal("PRESENTED 200x150", host.WaitFor("PRESENTED"));
        AssertScreenShowsPattern(x.Display, new Rect(120, 50, 400, 300), 200, 150, host);
        uint[] bar = X11ScreenCapture.Capture(x.Display, 0, 0, 120, 400);
        Assert.All(bar, p => Assert.Equal(0u, p));

        // Host key + P pauses, host key + Q powers off, and the guest sees neither key.
        x.Xdotool(xdotool, "key", "Control_R+p");
        Assert.Equal("PAUSED yes", host.WaitFor("PAUSED"));
        x.Xdotool(xdotool, "key", "Control_R+q");
        host.WaitFor("POWEROFF");
        Assert.Equal("EXIT ClosedByUser", host.WaitFor("EXIT"));
        Assert.Equal(4, host.WaitForExit());
        Assert.DoesNotContain("SCANCODES E014", host.Transcript);
    }

    [Fact]
    public void BeforeAGraphicsModeTheWindowShowsTheSerialConsole()
    {
        using XvfbServer x = XvfbServer.Start(ScreenWidth, ScreenHeight);
        using var host = DisplayHostProcess.Start(x.Display, "--console", "--window", "640", "400");
        Assert.Equal("PRESENTED 640x400", host.WaitFor("PRESENTED"));
        host.Send("serial Mica boot\\nhello, window");
        host.WaitFor("PRESENTED");

        // The text screen is 640x400 in a 640x400 window: one window pixel per screen pixel.
        var expected = new Emulator.Display.Text.SerialConsoleScreen();
        expected.Write("Mica boot\nhello, window"u8);
        uint[] pixels = new uint[640 * 400];
        Assert.True(expected.TryCopyTo(pixels, out _));
        AssertScreenShows(x.Display, new Rect(0, 0, 640, 400), pixels, 640, 400, host);

        host.Send("close");
        Assert.Equal("EXIT MachineStopped", host.WaitFor("EXIT"));
        Assert.Equal(0, host.WaitForExit());
    }

    [Fact]
    public void AGuestsSerialOutputAppearsInTheWindow()
    {
        string kernel = RepoPaths.GuestImage("tests/hello.elf");
        Assert.True(File.Exists(kernel), "guest image missing: " + kernel);
        using XvfbServer x = XvfbServer.Start(ScreenWidth, ScreenHeight);
        using var host = DisplayHostProcess.Start(x.Display, "--kernel", kernel, "--window", "640", "400");
        Assert.Equal("STOPPED DebugExit", host.WaitFor("STOPPED"));

        var expected = new Emulator.Display.Text.SerialConsoleScreen();
        expected.Write("TEST hello: PASS\n"u8);
        uint[] pixels = new uint[640 * 400];
        Assert.True(expected.TryCopyTo(pixels, out _));
        AssertScreenShows(x.Display, new Rect(0, 0, 640, 400), pixels, 640, 400, host);

        host.Send("close");
        Assert.Equal("EXIT MachineStopped DebugExit", host.WaitFor("EXIT"));
        Assert.Equal(0, host.WaitForExit());
    }

    private static uint[] Pattern(int width, int height)
    {
        uint[] pixels = new uint[width * height];
        Assert.True(new TestPatternSource(width, height).TryCopyTo(pixels, out _));
        return pixels;
    }

    private static void AssertScreenShowsPattern(string display, Rect where, int width, int height, DisplayHostProcess host)
    {
        AssertScreenShows(display, where, Pattern(width, height), width, height, host);
    }

    /// <summary>
    /// Compares a screen rectangle with a frame scaled to fill it (nearest pixel). The swap reaches the X
    /// server shortly after the host reports it, so the capture is retried until it matches or 30 s pass.
    /// </summary>
    private static void AssertScreenShows(string display, Rect where, uint[] frame, int width, int height, DisplayHostProcess host)
    {
        string mismatch = string.Empty;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            uint[] screen = X11ScreenCapture.Capture(display, where.X, where.Y, where.Width, where.Height);
            mismatch = FirstMismatch(screen, where, frame, width, height);
            if (mismatch.Length == 0)
            {
                return;
            }

            Thread.Sleep(100);
        }

        Assert.Fail(mismatch + "\nDisplayHost printed:\n" + host.Transcript);
    }

    private static string FirstMismatch(uint[] screen, Rect where, uint[] frame, int width, int height)
    {
        for (int y = 0; y < where.Height; y++)
        {
            for (int x = 0; x < where.Width; x++)
            {
                uint want = frame[(y * height / where.Height * width) + (x * width / where.Width)];
                uint got = screen[(y * where.Width) + x];
                if (want != got)
                {
                    return $"screen pixel ({where.X + x}, {where.Y + y}) is {got:X6}, the frame's is {want:X6}";
                }
            }
        }

        return string.Empty;
    }

    private readonly record struct Rect(int X, int Y, int Width, int Height);
}
