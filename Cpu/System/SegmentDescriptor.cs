using Cpu.State;

namespace Cpu.System;

/// <summary>
/// An 8-byte segment or gate descriptor as it sits in the GDT, LDT or IDT (Intel SDM 3.4.5, 6.11).
/// System descriptors in IA-32e mode take 16 bytes; <see cref="High"/> holds the upper eight.
/// </summary>
public readonly struct SegmentDescriptor
{
    public SegmentDescriptor(ulong low, ulong high = 0)
    {
        Low = low;
        High = high;
    }

    public ulong Low { get; }

    public ulong High { get; }

    /// <summary>The type field (bits 40-43).</summary>
    public int Type => (int)(Low >> 40) & 0xF;

    /// <summary>S: 1 for code/data segments, 0 for system descriptors.</summary>
    public bool IsCodeOrData => (Low & (1UL << 44)) != 0;

    public int Dpl => (int)(Low >> 45) & 3;

    public bool Present => (Low & (1UL << 47)) != 0;

    public bool IsCode => IsCodeOrData && (Type & 8) != 0;

    public bool IsData => IsCodeOrData && (Type & 8) == 0;

    /// <summary>Conforming code segment (type bit 2 of a code segment).</summary>
    public bool Conforming => IsCode && (Type & 4) != 0;

    /// <summary>Readable code or any data segment.</summary>
    public bool Readable => IsData || (Type & 2) != 0;

    /// <summary>Writable data segment.</summary>
    public bool Writable => IsData && (Type & 2) != 0;

    public bool Accessed => (Type & 1) != 0;

    /// <summary>L: a 64-bit code segment.</summary>
    public bool LongMode => (Low & (1UL << 53)) != 0;

    /// <summary>D/B: 32-bit default operand size / stack size.</summary>
    public bool Big => (Low & (1UL << 54)) != 0;

    public bool Granularity => (Low & (1UL << 55)) != 0;

    /// <summary>The 32-bit base of a segment descriptor.</summary>
    public uint Base32 => (uint)(((Low >> 16) & 0xFF_FFFF) | (((Low >> 56) & 0xFF) << 24));

    /// <summary>The 64-bit base of a 16-byte system descriptor (LDT, TSS) in IA-32e mode.</summary>
    public ulong Base64 => Base32 | ((High & 0xFFFF_FFFF) << 32);

    /// <summary>The limit in bytes, scaled by the granularity bit.</summary>
    public uint Limit
    {
        get
        {
            uint raw = (uint)(Low & 0xFFFF) | (uint)((Low >> 32) & 0xF_0000);
            return Granularity ? (raw << 12) | 0xFFF : raw;
        }
    }

    /// <summary>The attribute bits 40-55 shifted down by 40, without the limit bits 48-51 (the layout of <see cref="SegmentRegister.Attributes"/>).</summary>
    public ushort Attributes => (ushort)((Low >> 40) & 0xF0FF);

    /// <summary>Gate descriptors: the target code-segment selector.</summary>
    public ushort GateSelector => (ushort)(Low >> 16);

    /// <summary>Gate descriptors: the target offset (64-bit in IA-32e gates).</summary>
    public ulong GateOffset64 => (Low & 0xFFFF) | ((Low >> 32) & 0xFFFF_0000) | ((High & 0xFFFF_FFFF) << 32);

    /// <summary>Gate descriptors: the 32-bit target offset of a legacy gate.</summary>
    public uint GateOffset32 => (uint)((Low & 0xFFFF) | ((Low >> 32) & 0xFFFF_0000));

    /// <summary>IA-32e interrupt and trap gates: the interrupt-stack-table index (0 = none).</summary>
    public int Ist => (int)(Low >> 32) & 7;

    /// <summary>The hidden part of a segment register loaded from this descriptor, with <paramref name="selector"/>.</summary>
    public SegmentRegister ToSegment(ushort selector) => new()
    {
        Selector = selector,
        Base = Base32,
        Limit = Limit,
        Attributes = Attributes,
    };
}
