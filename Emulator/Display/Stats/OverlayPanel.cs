using Emulator.Display.Text;

namespace Emulator.Display.Stats;

/// <summary>The overlay's pixels: lines of text, light on dark grey, with a 4-pixel margin.</summary>
public static class OverlayPanel
{
    public const uint Foreground = 0x00E0E0E0;
    public const uint Background = 0x00202020;
    private const int Margin = 4;

    /// <summary>Renders the lines; returns the pixels and their size.</summary>
    public static (uint[] Pixels, int Width, int Height) Render(IReadOnlyList<string> lines)
    {
        int columns = 1;
        foreach (string line in lines)
        {
            columns = Math.Max(columns, line.Length);
        }

        int width = (columns * ConsoleFont8x16.Width) + (2 * Margin);
        int height = (Math.Max(1, lines.Count) * ConsoleFont8x16.Height) + (2 * Margin);
        uint[] pixels = new uint[width * height];
        pixels.AsSpan().Fill(Background);
        for (int i = 0; i < lines.Count; i++)
        {
            TextRasterizer.DrawString(pixels, width, height, Margin, Margin + (i * ConsoleFont8x16.Height), lines[i], Foreground, Background);
        }

        return (pixels, width, height);
    }
}
