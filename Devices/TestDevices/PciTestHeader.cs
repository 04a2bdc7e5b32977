using System.Buffers.Binary;
using System.Text;

namespace Devices.TestDevices;

/// <summary>
/// One <see cref="PciTestDevice"/> test as the guest reads it from byte 0 of a BAR: test number (byte 0), width (1),
/// offset watched (dword at 4), byte matched (8), count (dword at 12), then the NUL-terminated name from 16. Reads at
/// or past the last byte of the name read 0.
/// </summary>
public sealed class PciTestHeader
{
    /// <summary>The byte the matching tests count (QEMU's data-match value).</summary>
    public const byte MatchedByte = 0xFA;

    /// <summary>The byte the wildcard test reports (it matches any).</summary>
    public const byte WildcardByte = 0xCE;

    private const int NameOffset = 16;
    private readonly byte[] bytes;

    public PciTestHeader(int number, uint offset, PciTestKind kind, bool io)
    {
        Offset = offset;
        Kind = kind;
        string name = (io ? "portio-" : "mmio-") + kind switch
        {
            PciTestKind.NoEventNotifier => "no-eventfd",
            PciTestKind.WildcardEventNotifier => "wildcard-eventfd",
            _ => "datamatch-eventfd",
        };
        bytes = new byte[NameOffset + name.Length + 1];
        bytes[0] = (byte)number;
        bytes[1] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), offset);
        bytes[8] = kind == PciTestKind.WildcardEventNotifier ? WildcardByte : MatchedByte;
        Encoding.ASCII.GetBytes(name, bytes.AsSpan(NameOffset));
    }

    /// <summary>The offset in its BAR whose writes the test counts.</summary>
    public uint Offset { get; }

    public PciTestKind Kind { get; }

    public uint Count
    {
        get => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        set => BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), value);
    }

    public byte ReadByte(ulong offset) => offset + 1 < (ulong)bytes.Length ? bytes[offset] : (byte)0;

    /// <summary>Whether a whole access of <paramref name="size"/> bytes goes to the event notifier (one byte wide at the offset, matching).</summary>
    public bool ConsumesWrite(ulong offset, int size, ulong value) => Kind switch
    {
        PciTestKind.WildcardEventNotifier => offset == Offset && size == 1,
        PciTestKind.DataMatchEventNotifier => offset == Offset && size == 1 && (byte)value == MatchedByte,
        _ => false,
    };

    /// <summary>A byte that reached the device at the offset: counted when it matches (the wildcard test matches any).</summary>
    public void CountWrite(ulong offset, byte value)
    {
        if (offset == Offset && (value == MatchedByte || Kind == PciTestKind.WildcardEventNotifier))
        {
            Count++;
        }
    }
}
