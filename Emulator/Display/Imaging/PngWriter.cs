using System.Buffers.Binary;
using System.IO.Compression;

namespace Emulator.Display.Imaging;

/// <summary>
/// Writes 0x00RRGGBB pixels as an 8-bit RGB PNG (ISO/IEC 15948: IHDR, one IDAT, IEND; filter type 0 on
/// every row), compressed with the BCL's <see cref="ZLibStream"/>. A screenshot needs nothing more, so the
/// emulator takes no imaging package for it: SixLabors.ImageSharp 4 is under the Six Labors Split License,
/// whose terms depend on the user's revenue and would bind everyone who redistributes emu.
/// </summary>
public static class PngWriter
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>Writes a <paramref name="width"/> x <paramref name="height"/> image; pixels are row-major, 0x00RRGGBB.</summary>
    public static void Write(Stream output, int width, int height, ReadOnlySpan<uint> pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (pixels.Length < width * height)
        {
            throw new ArgumentException("fewer pixels than width * height", nameof(pixels));
        }

        output.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bits per sample
        header[9] = 2; // colour type: RGB
        header[10] = 0; // deflate
        header[11] = 0; // filters of method 0
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR"u8, header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            byte[] row = new byte[1 + (width * 3)];
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<uint> line = pixels.Slice(y * width, width);
                row[0] = 0; // filter: none
                for (int x = 0; x < width; x++)
                {
                    uint p = line[x];
                    row[1 + (x * 3)] = (byte)(p >> 16);
                    row[2 + (x * 3)] = (byte)(p >> 8);
                    row[3 + (x * 3)] = (byte)p;
                }

                zlib.Write(row);
            }
        }

        WriteChunk(output, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND"u8, []);
    }

    /// <summary>Writes the image to a file, replacing it.</summary>
    public static void Save(string path, int width, int height, ReadOnlySpan<uint> pixels)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        Write(file, width, height, pixels);
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        uint crc = Crc(Crc(0xFFFF_FFFF, type), data) ^ 0xFFFF_FFFF;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] MakeCrcTable()
    {
        // CRC-32 of ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320, as the PNG specification gives it.
        uint[] table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
