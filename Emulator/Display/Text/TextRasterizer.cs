namespace Emulator.Display.Text;

/// <summary>Draws Latin-1 text with <see cref="ConsoleFont8x16"/> into a 32 bpp pixel buffer.</summary>
public static class TextRasterizer
{
    /// <summary>
    /// Draws one character cell at pixel (x, y) of a buffer <paramref name="stride"/> pixels wide; pixels
    /// outside the buffer are skipped.
    /// </summary>
    public static void DrawChar(Span<uint> pixels, int stride, int height, int x, int y, byte character, uint foreground, uint background)
    {
        ReadOnlySpan<byte> glyph = ConsoleFont8x16.Glyphs.Slice(character * ConsoleFont8x16.Height, ConsoleFont8x16.Height);
        for (int row = 0; row < ConsoleFont8x16.Height; row++)
        {
            int py = y + row;
            if (py < 0 || py >= height)
            {
                continue;
            }

            byte bits = glyph[row];
            Span<uint> line = pixels.Slice(py * stride, stride);
            for (int col = 0; col < ConsoleFont8x16.Width; col++)
            {
                int px = x + col;
                if (px >= 0 && px < stride)
                {
                    line[px] = (bits & (0x80 >> col)) != 0 ? foreground : background;
                }
            }
        }
    }

    /// <summary>Draws a string left to right from pixel (x, y); characters above 0xFF are drawn as '?'.</summary>
    public static void DrawString(Span<uint> pixels, int stride, int height, int x, int y, string text, uint foreground, uint background)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            DrawChar(pixels, stride, height, x + (i * ConsoleFont8x16.Width), y, c <= 0xFF ? (byte)c : (byte)'?', foreground, background);
        }
    }
}
