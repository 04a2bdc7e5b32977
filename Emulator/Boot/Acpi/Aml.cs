using System.Text;

namespace Emulator.Boot.Acpi;

/// <summary>
/// A small encoder for the ACPI Machine Language (ACPI 6.5 chapter 20) objects emu's DSDT needs:
/// scopes, devices, named data, packages, integers, strings, EISA IDs and resource-template buffers.
/// Each method returns the encoded bytes of one term, so terms nest by composition.
/// </summary>
public static class Aml
{
    private const byte ZeroOp = 0x00;
    private const byte OneOp = 0x01;
    private const byte NameOp = 0x08;
    private const byte BytePrefix = 0x0A;
    private const byte WordPrefix = 0x0B;
    private const byte DWordPrefix = 0x0C;
    private const byte StringPrefix = 0x0D;
    private const byte QWordPrefix = 0x0E;
    private const byte ScopeOp = 0x10;
    private const byte BufferOp = 0x11;
    private const byte PackageOp = 0x12;
    private const byte ExtOpPrefix = 0x5B;
    private const byte DeviceOp = 0x82;

    /// <summary><c>Scope (path) { terms }</c>.</summary>
    public static byte[] Scope(string path, params byte[][] terms) => [ScopeOp, .. WithLength([.. Name(path), .. Concat(terms)])];

    /// <summary><c>Device (name) { terms }</c>.</summary>
    public static byte[] Device(string name, params byte[][] terms) => [ExtOpPrefix, DeviceOp, .. WithLength([.. Name(name), .. Concat(terms)])];

    /// <summary><c>Name (name, value)</c>.</summary>
    public static byte[] NameObject(string name, byte[] value) => [NameOp, .. Name(name), .. value];

    /// <summary><c>Package () { elements }</c>.</summary>
    public static byte[] Package(params byte[][] elements) => [PackageOp, .. WithLength([(byte)elements.Length, .. Concat(elements)])];

    /// <summary>An integer in the shortest encoding.</summary>
    public static byte[] Integer(ulong v) => v switch
    {
        0 => [ZeroOp],
        1 => [OneOp],
        <= 0xFF => [BytePrefix, (byte)v],
        <= 0xFFFF => [WordPrefix, (byte)v, (byte)(v >> 8)],
        <= 0xFFFF_FFFF => [DWordPrefix, .. BitConverter.GetBytes((uint)v)],
        _ => [QWordPrefix, .. BitConverter.GetBytes(v)],
    };

    public static byte[] String(string s) => [StringPrefix, .. Encoding.ASCII.GetBytes(s), 0];

    /// <summary><c>EisaId ("PNP0A03")</c>: three letters of five bits and four hex digits, as a big-endian dword.</summary>
    public static byte[] EisaId(string id)
    {
        int letters = ((id[0] - '@') << 10) | ((id[1] - '@') << 5) | (id[2] - '@');
        int product = Convert.ToInt32(id[3..], 16);
        return [DWordPrefix, (byte)(letters >> 8), (byte)letters, (byte)(product >> 8), (byte)product];
    }

    /// <summary>A buffer holding <paramref name="descriptors"/> and the end tag: a <c>ResourceTemplate ()</c>.</summary>
    public static byte[] ResourceTemplate(params byte[][] descriptors)
    {
        byte[] body = [.. Concat(descriptors), 0x79, 0x00]; // end tag; checksum 0 means "not checked"
        return [BufferOp, .. WithLength([.. Integer((ulong)body.Length), .. body])];
    }

    /// <summary>An I/O port descriptor with 16-bit decode (section 6.4.2.5): a fixed range of <paramref name="length"/> ports.</summary>
    public static byte[] IoPorts(ushort first, byte length) =>
        [0x47, 0x01, (byte)first, (byte)(first >> 8), (byte)first, (byte)(first >> 8), 0x01, length];

    /// <summary>A word address-space descriptor (section 6.4.3.5.3) a bridge produces: bus numbers (type 2) or I/O (type 1).</summary>
    public static byte[] WordSpace(byte resourceType, ushort min, ushort max)
    {
        byte typeFlags = resourceType == 1 ? (byte)0x03 : (byte)0x00; // I/O: the entire ISA and non-ISA range
        ushort length = (ushort)(max - min + 1);
        return [0x88, 0x0D, 0x00, resourceType, 0x0C /* min and max fixed, producer */, typeFlags,
            0, 0, (byte)min, (byte)(min >> 8), (byte)max, (byte)(max >> 8), 0, 0, (byte)length, (byte)(length >> 8)];
    }

    /// <summary>A dword memory-range descriptor (section 6.4.3.5.2) a bridge produces, read-write.</summary>
    public static byte[] DWordMemory(uint min, uint max, bool cacheable)
    {
        uint length = max - min + 1;
        return [0x87, 0x17, 0x00, 0x00, 0x0C, (byte)(cacheable ? 0x03 : 0x01),
            0, 0, 0, 0, .. BitConverter.GetBytes(min), .. BitConverter.GetBytes(max), 0, 0, 0, 0, .. BitConverter.GetBytes(length)];
    }

    /// <summary>A name string: a path of four-character segments separated by '.', optionally rooted with '\'.</summary>
    private static byte[] Name(string path)
    {
        var bytes = new List<byte>();
        if (path.StartsWith('\\'))
        {
            bytes.Add((byte)'\\');
            path = path[1..];
        }

        string[] segments = path.Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 2)
        {
            bytes.Add(0x2E); // DualNamePrefix
        }
        else if (segments.Length > 2)
        {
            bytes.Add(0x2F); // MultiNamePrefix
            bytes.Add((byte)segments.Length);
        }

        foreach (string segment in segments)
        {
            bytes.AddRange(Encoding.ASCII.GetBytes(segment.PadRight(4, '_')));
        }

        return [.. bytes];
    }

    /// <summary>Prefixes <paramref name="body"/> with its PkgLength (section 20.2.4), which counts itself.</summary>
    private static byte[] WithLength(byte[] body)
    {
        int total = body.Length + 1;
        if (total < 0x40)
        {
            return [(byte)total, .. body];
        }

        int extra = total + 1 < 0x1000 ? 1 : total + 2 < 0x10_0000 ? 2 : 3;
        total = body.Length + 1 + extra;
        var length = new byte[1 + extra];
        length[0] = (byte)((extra << 6) | (total & 0xF));
        for (int i = 1; i <= extra; i++)
        {
            length[i] = (byte)(total >> (4 + (8 * (i - 1))));
        }

        return [.. length, .. body];
    }

    private static byte[] Concat(byte[][] parts) => [.. parts.SelectMany(p => p)];
}
