using Cpu.State;

namespace Cpu.System;

/// <summary>Which operating mode the processor is in (Intel SDM 2.2), derived from CR0, EFER and CS.</summary>
public static class ProcessorMode
{
    public const ulong EferSce = 1UL << 0;
    public const ulong EferLme = 1UL << 8;
    public const ulong EferLma = 1UL << 10;
    public const ulong EferNxe = 1UL << 11;

    /// <summary>CR0.PE: protected mode (else real mode).</summary>
    public static bool IsProtected(CpuState s) => (s.Cr0 & 1) != 0;

    /// <summary>EFER.LMA: IA-32e mode (64-bit or compatibility).</summary>
    public static bool IsLongModeActive(CpuState s) => (s.Efer & EferLma) != 0;

    /// <summary>64-bit mode: IA-32e mode and CS.L.</summary>
    public static bool Is64Bit(CpuState s) =>
        (s.Efer & EferLma) != 0 && (s.Segments[SegmentIndex.Cs].Attributes & SegmentAttributes.Long) != 0;

    /// <summary>The stack-address size in legacy and compatibility mode: SS.B.</summary>
    public static bool BigStack(CpuState s) => (s.Segments[SegmentIndex.Ss].Attributes & SegmentAttributes.Big) != 0;

    /// <summary>Bits 63:47 all equal (48-bit linear addresses).</summary>
    public static bool IsCanonical(ulong address) => (ulong)(((long)address << 16) >> 16) == address;
}
