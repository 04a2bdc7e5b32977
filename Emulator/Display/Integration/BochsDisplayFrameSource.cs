using System.Runtime.InteropServices;
using Devices.Display;

namespace Emulator.Display.Integration;

/// <summary>
/// The Bochs VBE display's visible screen as a frame: nothing while VBE is off (the window then shows the
/// serial console), otherwise the mode's width x height read from video memory at the mode's offset and
/// stride. The display's version counts every framebuffer and register write, so the window copies video
/// memory only after the guest wrote to it. 32 bpp is copied as it is (BGRX); 24, 16 and 15 bpp are widened;
/// 8 bpp has no palette modelled and shows as grey levels.
/// </summary>
public sealed class BochsDisplayFrameSource(BochsDisplay display) : IFrameSource
{
    public FrameInfo Info
    {
        get
        {
            long version = display.Version;
            DisplayMode mode = display.Mode;
            return mode.Enabled ? new FrameInfo(mode.Width, mode.Height, version) : new FrameInfo(0, 0, version);
        }
    }

    public bool TryCopyTo(Span<uint> destination, out FrameInfo copied)
    {
        // Read the version first: a write during the copy makes the next Info differ, so it is copied again.
        long version = display.Version;
        DisplayMode mode = display.Mode;
        copied = new FrameInfo(mode.Enabled ? mode.Width : 0, mode.Enabled ? mode.Height : 0, version);
        if (!copied.HasPixels || destination.Length < copied.PixelCount)
        {
            return false;
        }

        ReadOnlySpan<byte> vram = display.VideoMemory;
        int bytesPerPixel = (mode.BitsPerPixel + 7) / 8;
        int rowBytes = mode.Width * bytesPerPixel;
        for (int y = 0; y < mode.Height; y++)
        {
            Span<uint> line = destination.Slice(y * mode.Width, mode.Width);
            long at = mode.Offset + ((long)y * mode.Stride);
            if (at < 0 || at + rowBytes > vram.Length)
            {
                line.Clear();
                continue;
            }

            ConvertRow(vram.Slice((int)at, rowBytes), line, mode.BitsPerPixel);
        }

        return true;
    }

    private static void ConvertRow(ReadOnlySpan<byte> source, Span<uint> line, int bitsPerPixel)
    {
        switch (bitsPerPixel)
        {
            case 32:
                MemoryMarshal.Cast<byte, uint>(source).CopyTo(line);
                break;
            case 24:
                for (int x = 0; x < line.Length; x++)
                {
                    line[x] = (uint)(source[x * 3] | (source[(x * 3) + 1] << 8) | (source[(x * 3) + 2] << 16));
                }

                break;
            case 16:
                for (int x = 0; x < line.Length; x++)
                {
                    int p = source[x * 2] | (source[(x * 2) + 1] << 8);
                    line[x] = Rgb(((p >> 11) & 0x1F) * 255 / 31, ((p >> 5) & 0x3F) * 255 / 63, (p & 0x1F) * 255 / 31);
                }

                break;
            case 15:
                for (int x = 0; x < line.Length; x++)
                {
                    int p = source[x * 2] | (source[(x * 2) + 1] << 8);
                    line[x] = Rgb(((p >> 10) & 0x1F) * 255 / 31, ((p >> 5) & 0x1F) * 255 / 31, (p & 0x1F) * 255 / 31);
                }

                break;
            default:
                for (int x = 0; x < line.Length; x++)
                {
                    line[x] = Rgb(source[x], source[x], source[x]);
                }

                break;
        }
    }

    private static uint Rgb(int r, int g, int b) => (uint)((r << 16) | (g << 8) | b);
}
