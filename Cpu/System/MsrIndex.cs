using Mmu.Interrupts;

namespace Cpu.System;

/// <summary>Indices of the model-specific registers the processor implements (Intel SDM Vol. 4).</summary>
public static class MsrIndex
{
    public const uint Tsc = 0x10;

    /// <summary>IA32_TSC_ADJUST: the TSC's offset, kept in step with writes to the TSC (SDM Vol. 3B, "Time-Stamp Counter Adjustment").</summary>
    public const uint TscAdjust = 0x3B;
    public const uint ApicBase = ApicMsrIndex.ApicBase;

    /// <summary>IA32_BIOS_SIGN_ID: the loaded microcode update's signature (SDM Vol. 3A section 10.11.7).</summary>
    public const uint BiosSignId = 0x8B;
    public const uint SysenterCs = 0x174;
    public const uint SysenterEsp = 0x175;
    public const uint SysenterEip = 0x176;
    public const uint TscDeadline = ApicMsrIndex.TscDeadline;

    /// <summary>IA32_PKRS: protection-key rights of supervisor-mode pages (SDM Vol. 3A, 4.6.2).</summary>
    public const uint Pkrs = 0x6E1;
    public const uint X2ApicFirst = ApicMsrIndex.X2ApicFirst;
    public const uint X2ApicLast = ApicMsrIndex.X2ApicLast;
    public const uint MiscEnable = 0x1A0;
    public const uint Pat = 0x277;
    public const uint FixedCounter0 = 0x309;
    public const uint FixedCounterControl = 0x38D;
    public const uint PerfGlobalStatus = 0x38E;
    public const uint PerfGlobalControl = 0x38F;
    public const uint PerfGlobalOverflowControl = 0x390;
    public const uint Efer = 0xC000_0080;
    public const uint Star = 0xC000_0081;
    public const uint Lstar = 0xC000_0082;
    public const uint Cstar = 0xC000_0083;
    public const uint Fmask = 0xC000_0084;
    public const uint FsBase = 0xC000_0100;
    public const uint GsBase = 0xC000_0101;
    public const uint KernelGsBase = 0xC000_0102;
    public const uint TscAux = 0xC000_0103;
}
