namespace Emulator.Display;

/// <summary>
/// A synthetic frame: red grows left to right, green top to bottom, and blue is an 8x8 checkerboard, so any
/// misplaced, flipped, scaled or channel-swapped pixel shows. Used to check the window end to end, and as
/// something to show before a machine exists. Thread-safe.
/// </summary>
public sealed class TestPatternSource(int width, int height) : IFrameSource
{
    private readonly Lock gate = new();
    private FrameInfo info = new(width, height, 1);

    public FrameInfo Info
    {
        get
        {
            lock (gate)
            {
                return info;
            }
        }
    }

    /// <summary>The pattern's pixel at (x, y) of a <paramref name="width"/> x <paramref name="height"/> frame, 0x00RRGGBB.</summary>
    public static uint Pixel(int x, int y, int width, int height)
    {
        uint red = (uint)(x * 255 / Math.Max(1, width - 1));
        uint green = (uint)(y * 255 / Math.Max(1, height - 1));
        uint blue = (((x / 8) + (y / 8)) & 1) != 0 ? 0xE0u : 0x20u;
        return (red << 16) | (green << 8) | blue;
    }

    /// <summary>Changes the size, as a guest's mode change does.</summary>
    public void SetMode(int newWidth, int newHeight)
    {
        lock (gate)
        {
            info = new FrameInfo(newWidth, newHeight, info.Version + 1);
        }
    }

    public bool TryCopyTo(Span<uint> destination, out FrameInfo copied)
    {
        lock (gate)
        {
            copied = info;
        }

        if (!copied.HasPixels || destination.Length < copied.PixelCount)
        {
            return false;
        }

        for (int y = 0; y < copied.Height; y++)
        {
            for (int x = 0; x < copied.Width; x++)
            {
                destination[(y * copied.Width) + x] = Pixel(x, y, copied.Width, copied.Height);
            }
        }

        return true;
    }
}
