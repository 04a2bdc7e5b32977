using System.Text;
using Emulator.Display;
using Emulator.Display.Text;

namespace Emulator.Tests.Display;

public class SerialConsoleScreenTests
{
    [Fact]
    public void LinesWrapScrollAndSkipEscapeSequences()
    {
        var screen = new SerialConsoleScreen(columns: 10, rows: 3);
        screen.Write(Encoding.Latin1.GetBytes("boot\r\n\u001b[1;32mok\u001b[0m\nabcdefghijKL\tx\bY"));
        Assert.Equal("ok", screen.RowText(0));
        Assert.Equal("abcdefghij", screen.RowText(1));
        Assert.Equal("KL      Y", screen.RowText(2));
    }

    [Fact]
    public void VersionChangesOnEveryWrite()
    {
        var screen = new SerialConsoleScreen();
        long v = screen.Info.Version;
        screen.Write((byte)'x');
        Assert.NotEqual(v, screen.Info.Version);
        Assert.Equal(new FrameInfo(640, 400, screen.Info.Version), screen.Info);
    }

    [Fact]
    public void PixelsAreTheFontsGlyphs()
    {
        var screen = new SerialConsoleScreen(columns: 2, rows: 1);
        screen.Write(Encoding.Latin1.GetBytes("A"));
        uint[] pixels = new uint[16 * 16];
        Assert.True(screen.TryCopyTo(pixels, out FrameInfo copied));
        Assert.Equal(16, copied.Width);
        ReadOnlySpan<byte> glyph = ConsoleFont8x16.Glyphs.Slice('A' * 16, 16);
        int lit = 0;
        for (int row = 0; row < 16; row++)
        {
            for (int col = 0; col < 8; col++)
            {
                bool on = (glyph[row] & (0x80 >> col)) != 0;
                Assert.Equal(on ? SerialConsoleScreen.Foreground : SerialConsoleScreen.Background, pixels[(row * 16) + col]);
                lit += on ? 1 : 0;
            }
        }

        Assert.True(lit > 20, "the glyph for A has pixels");

        // The cursor sits under the second cell.
        Assert.Equal(SerialConsoleScreen.Foreground, pixels[(15 * 16) + 8]);
        Assert.Equal(SerialConsoleScreen.Background, pixels[(5 * 16) + 8]);
    }

    [Fact]
    public void ASmallDestinationIsRefused()
    {
        var screen = new SerialConsoleScreen(columns: 2, rows: 1);
        Assert.False(screen.TryCopyTo(new uint[10], out _));
    }

    [Fact]
    public void TheFontHasPrintableAsciiAndBlankControls()
    {
        Assert.Equal(256 * 16, ConsoleFont8x16.Glyphs.Length);
        for (int c = 0x21; c <= 0x7E; c++)
        {
            Assert.Contains(ConsoleFont8x16.Glyphs.Slice(c * 16, 16).ToArray(), b => b != 0);
        }

        Assert.All(ConsoleFont8x16.Glyphs[..(0x20 * 16)].ToArray(), b => Assert.Equal(0, b));
    }
}
