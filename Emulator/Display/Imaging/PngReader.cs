using System.Buffers.Binary;
using System.IO.Compression;

namespace Emulator.Display.Imaging;

/// <summary>
/// Reads back the PNGs <see cref="PngWriter"/> writes (8-bit RGB, not interlaced, any of the five row
/// filters), so tests and tools can compare screenshots with frames. Not a general PNG decoder.
/// </summary>
public static class PngReader
{
    /// <summary>Decodes a PNG into 0x00RRGGBB pixels.</summary>
    public static (int Width, int Height, uint[] Pixels) Read(Stream input)
    {
        using var all = new MemoryStream();
        input.CopyTo(all);
        ReadOnlySpan<byte> png = all.GetBuffer().AsSpan(0, (int)all.Length);
        if (png.Length < 8 || png[1] != (byte)'P' || png[2] != (byte)'N' || png[3] != (byte)'G')
        {
            throw new InvalidDataException("not a PNG");
        }

        int width = 0;
        int height = 0;
        using var idat = new MemoryStream();
        int at = 8;
        while (at + 8 <= png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png[at..]);
            ReadOnlySpan<byte> type = png.Slice(at + 4, 4);
            ReadOnlySpan<byte> data = png.Slice(at + 8, length);
            if (type.SequenceEqual("IHDR"u8))
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[9] != 2 || data[12] != 0)
                {
                    throw new InvalidDataException("only 8-bit RGB, non-interlaced PNGs are read");
                }
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                idat.Write(data);
            }

            at += 12 + length;
        }

        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        int stride = width * 3;
        byte[] previous = new byte[stride];
        byte[] current = new byte[stride];
        uint[] pixels = new uint[width * height];
        for (int y = 0; y < height; y++)
        {
            int filter = zlib.ReadByte();
            zlib.ReadExactly(current);
            Unfilter(filter, current, previous);
            for (int x = 0; x < width; x++)
            {
                pixels[(y * width) + x] = (uint)((current[x * 3] << 16) | (current[(x * 3) + 1] << 8) | current[(x * 3) + 2]);
            }

            (previous, current) = (current, previous);
        }

        return (width, height, pixels);
    }

    /// <summary>Decodes a PNG file.</summary>
    public static (int Width, int Height, uint[] Pixels) Read(string path)
    {
        using var file = File.OpenRead(path);
        return Read(file);
    }

    private static void Unfilter(int filter, byte[] row, byte[] above)
    {
        const int Bpp = 3;
        for (int i = 0; i < row.Length; i++)
        {
            int left = i >= Bpp ? row[i - Bpp] : 0;
            int up = above[i];
            int upLeft = i >= Bpp ? above[i - Bpp] : 0;
            row[i] = filter switch
            {
                0 => row[i],
                1 => (byte)(row[i] + left),
                2 => (byte)(row[i] + up),
                3 => (byte)(row[i] + ((left + up) / 2)),
                4 => (byte)(row[i] + Paeth(left, up, upLeft)),
                _ => throw new InvalidDataException("bad PNG row filter " + filter),
            };
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a);
        int pb = Math.Abs(p - b);
        int pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
