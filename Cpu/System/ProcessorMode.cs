using Cpu.State;
using Mmu.Paging;

namespace Cpu.System;

/// <summary>Which operating mode the processor is in (Intel SDM 2.2), derived from CR0, EFER and CS.</summary>
public static class ProcessorMode
{
    public const ulong EferSce = ControlRegisterBits.EferSce;
    public const ulong EferLme = ControlRegisterBits.EferLme;
    public const ulong EferLma = ControlRegisterBits.EferLma;
    public const ulong EferNxe = ControlRegisterBits.EferNxe;

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
