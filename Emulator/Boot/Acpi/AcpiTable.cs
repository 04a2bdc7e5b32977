using System.Buffers.Binary;
using System.Text;

namespace Emulator.Boot.Acpi;

/// <summary>
/// One ACPI system description table being built: the 36-byte header (ACPI 6.5 section 5.2.6) followed
/// by the table's body; <see cref="ToArray"/> fills in the length and the checksum.
/// </summary>
public sealed class AcpiTable
{
    public const int HeaderLength = 36;
    public const string OemId = "EMU   ";
    public const string OemTableId = "EMUPC   ";

    private readonly List<byte> bytes = [];

    public AcpiTable(string signature, byte revision)
    {
        Ascii(signature, 4);
        U32(0); // length, filled in by ToArray
        U8(revision);
        U8(0); // checksum, filled in by ToArray
        Ascii(OemId, 6);
        Ascii(OemTableId, 8);
        U32(1); // OEM revision
        Ascii("EMU ", 4); // creator ID
        U32(1); // creator revision
    }

    /// <summary>Bytes written so far, header included.</summary>
    public int Length => bytes.Count;

    public AcpiTable U8(byte v)
    {
        bytes.Add(v);
        return this;
    }

    public AcpiTable U16(ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        bytes.AddRange(b);
        return this;
    }

    public AcpiTable U32(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        bytes.AddRange(b);
        return this;
    }

    public AcpiTable U64(ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        bytes.AddRange(b);
        return this;
    }

    public AcpiTable Bytes(ReadOnlySpan<byte> b)
    {
        bytes.AddRange(b);
        return this;
    }

    /// <summary>Pads with zeros up to <paramref name="offset"/> bytes from the table's start.</summary>
    public AcpiTable PadTo(int offset)
    {
        while (bytes.Count < offset)
        {
            bytes.Add(0);
        }

        return this;
    }

    /// <summary>A Generic Address Structure (section 5.2.3.2) for a system I/O register block.</summary>
    public AcpiTable IoAddress(ushort port, int lengthBytes)
    {
        if (port == 0)
        {
            return PadZeros(12);
        }

        U8(1); // system I/O space
        U8((byte)(lengthBytes * 8));
        U8(0); // bit offset
        U8((byte)(lengthBytes >= 4 ? 3 : lengthBytes >= 2 ? 2 : 1)); // access size: dword, word or byte
        return U64(port);
    }

    public AcpiTable Ascii(string s, int width)
    {
        byte[] text = Encoding.ASCII.GetBytes(s);
        for (int i = 0; i < width; i++)
        {
            bytes.Add(i < text.Length ? text[i] : (byte)' ');
        }

        return this;
    }

    /// <summary>The finished table: length and checksum (all bytes sum to zero) filled in.</summary>
    public byte[] ToArray()
    {
        byte[] table = [.. bytes];
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(4), (uint)table.Length);
        table[9] = Checksum(table);
        return table;
    }

    /// <summary>The byte that makes <paramref name="data"/> sum to zero (with that byte's slot counted as zero).</summary>
    public static byte Checksum(ReadOnlySpan<byte> data)
    {
        byte sum = 0;
        foreach (byte b in data)
        {
            sum += b;
        }

        return (byte)-sum;
    }

    private AcpiTable PadZeros(int n)
    {
        for (int i = 0; i < n; i++)
        {
            bytes.Add(0);
        }

        return this;
    }
}
