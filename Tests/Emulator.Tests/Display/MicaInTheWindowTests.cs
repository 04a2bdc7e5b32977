using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DisplayHost;
using Emulator.Cli;
using Emulator.Display.Imaging;
using TestSupport;

namespace Emulator.Tests.Display;

/// <summary>
/// The real <c>emu</c> with its window on Mica under Xvfb (Mesa's software OpenGL): fbd's console is what the
/// window shows, pixel for pixel, and keys typed into the window reach Mica's shell through ps2d.
/// </summary>
public partial class MicaInTheWindowTests
{
    // Large enough for emu's 1024x768 window, which then shows fbd's 1024x768 mode at one pixel per pixel.
    private const int ScreenWidth = 1280;
    private const int ScreenHeight = 1024;
    private const int Width = 1024;
    private const int Height = 768;

    // fbd's colours (Guest/user/fbd.c).
    private const uint Foreground = 0xC0C0C0;
    private const uint Background = 0x000020;

    private static string Kernel => RepoPaths.GuestImage("mica.elf");

    private static string InitFs => RepoPaths.GuestImage("initfs.tar");

    private static string TempPng(string name) => Path.Combine(Path.GetTempPath(), $"emu-mica-{name}-{Environment.ProcessId}.png");

    [Fact]
    public void TheDisplayTestsTextIsOnTheScreenGlyphByGlyph()
    {
        using XvfbServer x = XvfbServer.Start(ScreenWidth, ScreenHeight);
        string shot = TempPng("display");
        try
        {
            using var emu = EmuProcess.Start(x.Display, "run", Kernel, "--initrd", InitFs, "--append", "test=display",
                "--screenshot", shot, "--screenshot-at", "TEST display: PASS");
            int status = emu.WaitForExit();
            Assert.True(status == 1, $"exit status {status}.\n{emu.Describe()}");
            Assert.Contains("TEST display: PASS", emu.Com1);

            // No notice from emu: the window opened (OpenGL drivers may still log on stderr).
            Assert.False(emu.StandardError.Contains("emu:", StringComparison.Ordinal), emu.Describe());

            // The screenshot is the guest's framebuffer: fbdtest's text in fbd's font on the first text row.
            (int w, int h, uint[] pixels) = PngReader.Read(shot);
            Assert.Equal((Width, Height), (w, h));
            byte[][] font = FbdFont();
            string? wrong = TextMismatch(pixels, font, "Mica fbd 0123 AZaz~#@", 0, 0);
            Assert.True(wrong is null, wrong);
        }
        finally
        {
            File.Delete(shot);
        }
    }

    [Fact]
    public void KeysTypedIntoTheWindowReachTheShellAndTheWindowShowsTheFramebuffer()
    {
        using XvfbServer x = XvfbServer.Start(ScreenWidth, ScreenHeight);
        string xdotool = ExternalTool.Require("xdotool", "the end-to-end test types into the window");
        string shot = TempPng("shell");
        try
        {
            // No test=: init starts the shell, which reads serial: and input: (ps2d) and mirrors its output on
            // display: (fbd). The screenshot is taken at exit, from the guest's framebuffer.
            using var emu = EmuProcess.Start(x.Display, "run", Kernel, "--initrd", InitFs, "--screenshot", shot);
            emu.WaitForCom1("[fbd] ready");
            emu.WaitForCom1("mica> ");

            // Typed into the window (Shift for the capitals and '!'): the shell echoes each key on COM1, then runs the command.
            x.Xdotool(xdotool, "mousemove", "100", "100");
            x.Xdotool(xdotool, "type", "--delay", "40", "echo Hello, Window!");
            x.Xdotool(xdotool, "key", "Return");
            emu.WaitForCom1("Hello, Window!", occurrences: 2);
            emu.WaitForCom1("mica> ", occurrences: 2);
            Assert.True(emu.Com1.Replace("\r", string.Empty, StringComparison.Ordinal).Contains("echo Hello, Window!\nHello, Window!\nmica> ", StringComparison.Ordinal), emu.Describe());

            // The guest is idle now: what the window shows (at (0, 0): Xvfb has no window manager) stays put.
            uint[] window = SettledCapture(x.Display, emu);

            // Host key + Q closes the window, which powers the machine off and says so.
            x.Xdotool(xdotool, "key", "Control_R+q");
            Assert.Equal(ExitStatus.WindowClosed, emu.WaitForExit());
            Assert.Contains("the window was closed", emu.StandardError);

            // The window showed exactly the guest's framebuffer, typed text included.
            (int w, int h, uint[] framebuffer) = PngReader.Read(shot);
            Assert.Equal((Width, Height), (w, h));
            Assert.Contains(Foreground, framebuffer);
            int same = window.AsSpan().CommonPrefixLength(framebuffer);
            Assert.True(same == framebuffer.Length, same == framebuffer.Length ? string.Empty
                : $"window pixel ({same % Width}, {same / Width}) is {window[same]:X6}, the guest's framebuffer has {framebuffer[same]:X6}\n{emu.Describe()}");
        }
        finally
        {
            File.Delete(shot);
        }
    }

    [Fact]
    public void TheFirstPromptIsInTheWindowWithoutAKeyPressAndScreenshotAtCapturesTheWindow()
    {
        using XvfbServer x = XvfbServer.Start(ScreenWidth, ScreenHeight);
        string xdotool = ExternalTool.Require("xdotool", "the test closes the window with the host key");
        string shot = TempPng("prompt");
        try
        {
            // Nothing is typed: the shell's first prompt must reach fbd's console by itself (issue 14: it used to
            // appear only after Enter). --screenshot-at with a window saves the framebuffer the window shows.
            using var emu = EmuProcess.Start(x.Display, "run", Kernel, "--initrd", InitFs, "--screenshot", shot, "--screenshot-at", "mica> ");
            emu.WaitForCom1("mica> ");
            emu.WaitForFile(shot);
            (int w, int h, uint[] framebuffer) = PngReader.Read(shot);
            Assert.Equal((Width, Height), (w, h));
            byte[][] font = FbdFont();
            Assert.True(FindText(framebuffer, font, "mica> ") is not null, "the screenshot taken at the first prompt does not show it\n" + emu.Describe());

            // The window shows the same prompt without a key press.
            uint[] window = SettledCapture(x.Display, emu);
            Assert.True(FindText(window, font, "mica> ") is not null, "the window does not show the first prompt\n" + emu.Describe());

            x.Xdotool(xdotool, "key", "Control_R+q");
            Assert.Equal(ExitStatus.WindowClosed, emu.WaitForExit());
        }
        finally
        {
            File.Delete(shot);
        }
    }

    /// <summary>The first text cell (column, row) where <paramref name="text"/> is drawn in fbd's font and colours, or null.</summary>
    private static (int Column, int Row)? FindText(uint[] pixels, byte[][] font, string text)
    {
        for (int row = 0; row < Height / 16; row++)
        {
            for (int column = 0; column + text.Length <= Width / 8; column++)
            {
                if (TextMismatch(pixels, font, text, column, row) is null)
                {
                    return (column, row);
                }
            }
        }

        return null;
    }

    /// <summary>Null when <paramref name="text"/> is drawn at text cell (column, row) in fbd's font and colours; else the first wrong pixel.</summary>
    private static string? TextMismatch(uint[] pixels, byte[][] font, string text, int column, int row)
    {
        for (int i = 0; i < text.Length; i++)
        {
            for (int y = 0; y < 16; y++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    uint want = (font[text[i] - 0x20][y] & (0x80 >> bit)) != 0 ? Foreground : Background;
                    uint got = pixels[(((row * 16) + y) * Width) + ((column + i) * 8) + bit];
                    if (got != want)
                    {
                        return $"'{text[i]}' (cell {column + i}, {row}) row {y} pixel {bit} is {got:X6}, fbd draws {want:X6}";
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The glyphs fbd draws, read from its source (Guest/user/fbdfont.h): 95 glyphs from 0x20, 16 rows each.</summary>
    private static byte[][] FbdFont()
    {
        string source = File.ReadAllText(Path.Combine(RepoPaths.Guest, "user", "fbdfont.h"));
        var glyphs = new List<byte[]>();
        foreach (Match m in GlyphRow().Matches(source))
        {
            glyphs.Add([.. Regex.Matches(m.Groups[1].Value, "0x([0-9a-fA-F]{2})").Select(b => byte.Parse(b.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture))]);
        }

        Assert.Equal(95, glyphs.Count);
        Assert.All(glyphs, g => Assert.Equal(16, g.Length));
        return [.. glyphs];
    }

    /// <summary>The window's pixels once two captures 300 ms apart agree (the window draws shortly after the guest wrote).</summary>
    private static uint[] SettledCapture(string display, EmuProcess emu)
    {
        uint[] previous = X11ScreenCapture.Capture(display, 0, 0, Width, Height);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(300);
            uint[] now = X11ScreenCapture.Capture(display, 0, 0, Width, Height);
            if (now.AsSpan().SequenceEqual(previous) && now.Contains(Foreground))
            {
                return now;
            }

            previous = now;
        }

        Assert.Fail("the window never settled on a picture with text.\n" + emu.Describe());
        return previous;
    }

    [GeneratedRegex(@"\{((?:\s*0x[0-9a-fA-F]{2},?){16})\s*\}")]
    private static partial Regex GlyphRow();
}
