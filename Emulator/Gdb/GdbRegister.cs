using Cpu;

namespace Emulator.Gdb;

/// <summary>
/// One register as gdb sees it: its name, size and type in the target description, the feature it
/// belongs to, and how its little-endian bytes are read and written. <paramref name="Write"/> is null
/// for a register gdb may show but not change (segment selectors, CR0/CR3/CR4).
/// </summary>
public sealed record GdbRegister(string Name, int Bits, string Type, string Feature, Func<Processor, byte[]> Read, Action<Processor, byte[]>? Write)
{
    public int Bytes => Bits / 8;

    /// <summary>A register of at most 64 bits, exchanged as a little-endian integer.</summary>
    public static GdbRegister Scalar(string name, int bits, string type, string feature, Func<Processor, ulong> get, Action<Processor, ulong>? set) =>
        new(name, bits, type, feature, p => LittleEndian(get(p), bits / 8), set is null ? null : (p, b) => set(p, ValueOf(b)));

    /// <summary>The low <paramref name="bytes"/> bytes of <paramref name="value"/>, least significant first.</summary>
    public static byte[] LittleEndian(ulong value, int bytes)
    {
        var b = new byte[bytes];
        for (int i = 0; i < Math.Min(8, bytes); i++)
        {
            b[i] = (byte)(value >> (8 * i));
        }

        return b;
    }

    /// <summary>The integer in the first (at most 8) little-endian bytes of <paramref name="data"/>.</summary>
    public static ulong ValueOf(ReadOnlySpan<byte> data)
    {
        ulong value = 0;
        for (int i = 0; i < Math.Min(8, data.Length); i++)
        {
            value |= (ulong)data[i] << (8 * i);
        }

        return value;
    }
}
