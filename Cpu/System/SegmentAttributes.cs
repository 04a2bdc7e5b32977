namespace Cpu.System;

/// <summary>Bits of <see cref="State.SegmentRegister.Attributes"/> (descriptor bits 40-55 shifted down by 40).</summary>
public static class SegmentAttributes
{
    public const ushort Accessed = 1 << 0;
    public const ushort Writable = 1 << 1;
    public const ushort Code = 1 << 3;
    public const ushort CodeOrData = 1 << 4;
    public const int DplShift = 5;
    public const ushort Present = 1 << 7;
    public const ushort Long = 1 << 13;
    public const ushort Big = 1 << 14;
    public const ushort Granularity = 1 << 15;

    /// <summary>A flat 64-bit code segment of the given DPL (what SYSCALL/SYSRET load).</summary>
    public static ushort Code64(int dpl) => (ushort)(0xB | CodeOrData | (dpl << DplShift) | Present | Long | Granularity);

    /// <summary>A flat 32-bit code segment of the given DPL.</summary>
    public static ushort Code32(int dpl) => (ushort)(0xB | CodeOrData | (dpl << DplShift) | Present | Big | Granularity);

    /// <summary>A flat writable data segment of the given DPL.</summary>
    public static ushort Data32(int dpl) => (ushort)(0x3 | CodeOrData | (dpl << DplShift) | Present | Big | Granularity);

    public static int Dpl(ushort attributes) => (attributes >> DplShift) & 3;

    public static bool IsPresent(ushort attributes) => (attributes & Present) != 0;
}
