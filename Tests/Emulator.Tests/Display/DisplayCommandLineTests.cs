using Emulator.Cli;
using Emulator.Display.Imaging;
using Emulator.Display.Text;
using TestSupport;

namespace Emulator.Tests.Display;

/// <summary>
/// <c>emu run</c>'s display options as a user meets them with no display: the default falls back to running
/// without a window (saying so once), an explicit <c>--display window</c> fails in one line, and
/// <c>--screenshot</c> saves the guest's screen without a window.
/// </summary>
public class DisplayCommandLineTests
{
    private static string Hello => RepoPaths.GuestImage("tests/hello.elf");

    private static string TempPng(string name) => Path.Combine(Path.GetTempPath(), $"emu-{name}-{Environment.ProcessId}.png");

    private static void AssertOneLine(string errors, string mention)
    {
        Assert.DoesNotContain("   at ", errors);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.StartsWith("emu: ", errors);
        Assert.Contains(mention, errors);
    }

    [Fact]
    public void AskingForAWindowWithNoDisplayIsOneLineAndNotAvailable()
    {
        (int status, string com1, string errors) = EmuProcess.Run("run", Hello, "--display", "window");
        Assert.Equal(ExitStatus.NotAvailable, status);
        AssertOneLine(errors, "no display");
        Assert.Empty(com1);
    }

    [Fact]
    public void ByDefaultWithNoDisplayTheGuestRunsWithoutAWindowAfterANotice()
    {
        (int status, string com1, string errors) = EmuProcess.Run("run", Hello);
        Assert.Equal(1, status);
        Assert.Contains("TEST hello: PASS", com1);
        AssertOneLine(errors, "running without a window");
    }

    [Fact]
    public void ADisplayThatCannotBeOpenedCountsAsNone()
    {
        // DISPLAY names an X server that is not there: GLFW cannot start (or is not installed), either way one line.
        const string Nowhere = ":4093";
        (int status, string com1, string errors) = EmuProcess.RunOn(Nowhere, "run", Hello);
        Assert.Equal(1, status);
        Assert.Contains("TEST hello: PASS", com1);
        AssertOneLine(errors, "running without a window");

        (status, com1, errors) = EmuProcess.RunOn(Nowhere, "run", Hello, "--display", "window");
        Assert.Equal(ExitStatus.NotAvailable, status);
        AssertOneLine(errors, "--display window: ");
        Assert.Empty(com1);
    }

    [Theory]
    [InlineData("--display", "sdl", "unknown --display 'sdl'")]
    [InlineData("--screenshot-at", "PASS", "--screenshot-at needs --screenshot FILE")]
    [InlineData("--screenshot", "/nonexistent-dir/shot.png", "/nonexistent-dir does not exist")]
    [InlineData("--screenshot", "/tmp", "is a directory")]
    public void BadDisplayOptionsAreUsageErrors(string option, string value, string mention)
    {
        (int status, _, string errors) = EmuProcess.Run("run", Hello, option, value);
        Assert.Equal(ExitStatus.UsageError, status);
        AssertOneLine(errors, mention);
    }

    [Fact]
    public void AnEmptyScreenshotTextIsAUsageError()
    {
        (int status, _, string errors) = EmuProcess.Run("run", Hello, "--display", "none", "--screenshot", TempPng("empty-at"), "--screenshot-at", string.Empty);
        Assert.Equal(ExitStatus.UsageError, status);
        AssertOneLine(errors, "non-empty");
    }

    [Fact]
    public void WithoutAWindowTheScreenshotAtExitShowsTheSerialConsole()
    {
        string shot = TempPng("console");
        try
        {
            (int status, _, string errors) = EmuProcess.Run("run", Hello, "--display", "none", "--screenshot", shot);
            Assert.Equal(1, status);
            Assert.Empty(errors);

            // hello.elf never sets a graphics mode: the screen is the console text, as the window would show it.
            var expected = new SerialConsoleScreen();
            expected.Write("TEST hello: PASS\n"u8);
            uint[] pixels = new uint[640 * 400];
            Assert.True(expected.TryCopyTo(pixels, out _));
            (int w, int h, uint[] saved) = PngReader.Read(shot);
            Assert.Equal((640, 400), (w, h));
            Assert.Equal(pixels, saved);
        }
        finally
        {
            File.Delete(shot);
        }
    }

    [Fact]
    public void TheScreenshotIsTakenWhenComOnePrintsTheText()
    {
        string shot = TempPng("at-text");
        try
        {
            // "hello" completes before ": PASS" is sent, so the screen shows only "TEST hello".
            (int status, _, string errors) = EmuProcess.Run("run", Hello, "--display", "none", "--screenshot", shot, "--screenshot-at", "hello");
            Assert.Equal(1, status);
            Assert.Empty(errors);
            var expected = new SerialConsoleScreen();
            expected.Write("TEST hello"u8);
            uint[] pixels = new uint[640 * 400];
            Assert.True(expected.TryCopyTo(pixels, out _));
            Assert.Equal(pixels, PngReader.Read(shot).Pixels);
        }
        finally
        {
            File.Delete(shot);
        }
    }

    [Fact]
    public void TextThatNeverComesLeavesNoFileAndSaysSo()
    {
        string shot = TempPng("never");
        File.Delete(shot);
        (int status, _, string errors) = EmuProcess.Run("run", Hello, "--display", "none", "--screenshot", shot, "--screenshot-at", "no such text");
        Assert.Equal(1, status);
        AssertOneLine(errors, "never printed");
        Assert.False(File.Exists(shot));
    }
}
