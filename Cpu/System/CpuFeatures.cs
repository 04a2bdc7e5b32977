namespace Cpu.System;

/// <summary>
/// Optional features CPUID reports and the control-register checks accept. Only what is implemented is
/// reported (issue 3: an honest feature set); the paging ones follow what the MMU's walker implements.
/// </summary>
[Flags]
public enum CpuFeatures
{
    None = 0,

    /// <summary>4 MiB pages with 32-bit paging (CR4.PSE).</summary>
    Pse = 1 << 0,

    /// <summary>Physical-address extension (CR4.PAE), needed for long mode.</summary>
    Pae = 1 << 1,

    /// <summary>Global pages (CR4.PGE).</summary>
    Pge = 1 << 2,

    /// <summary>The page-attribute table (IA32_PAT and the PAT bit).</summary>
    Pat = 1 << 3,

    /// <summary>Execute-disable (EFER.NXE).</summary>
    Nx = 1 << 4,

    /// <summary>1 GiB pages in 4-level paging.</summary>
    Pages1G = 1 << 5,

    /// <summary>Process-context identifiers (CR4.PCIDE).</summary>
    Pcid = 1 << 6,

    /// <summary>The INVPCID instruction.</summary>
    Invpcid = 1 << 7,

    /// <summary>Supervisor-mode execution prevention (CR4.SMEP).</summary>
    Smep = 1 << 8,

    /// <summary>Supervisor-mode access prevention (CR4.SMAP, STAC/CLAC).</summary>
    Smap = 1 << 9,

    /// <summary>The local APIC's TSC-deadline timer mode (IA32_TSC_DEADLINE); set by a machine that wires <see cref="SystemRegisters.Apic"/>.</summary>
    TscDeadline = 1 << 10,

    /// <summary>FXSAVE/FXRSTOR and CR4.OSFXSR (the x87 and SSE register files they move exist).</summary>
    Fxsr = 1 << 11,

    /// <summary>XSAVE/XRSTOR/XSAVEOPT/XSAVEC, XGETBV/XSETBV and CR4.OSXSAVE for the x87 and SSE components.</summary>
    Xsave = 1 << 12,

    /// <summary>The SSE state and LDMXCSR/STMXCSR, CR4.OSXMMEXCPT.</summary>
    SseState = 1 << 13,

    /// <summary>The x87 FPU instructions (Cpu/Instructions/X87InstructionForms).</summary>
    Fpu = 1 << 14,

    /// <summary>The SSE instructions (Cpu/Instructions/SseInstructionForms; the MMX-register forms in MmxInstructionForms).</summary>
    Sse = 1 << 15,

    /// <summary>The SSE2 instructions (the MMX-register forms in MmxInstructionForms).</summary>
    Sse2 = 1 << 16,

    /// <summary>The local APIC's x2APIC mode (IA32_APIC_BASE.EXTD, MSRs 800H-8FFH); set by a machine that wires <see cref="SystemRegisters.Apic"/>.</summary>
    X2Apic = 1 << 17,

    /// <summary>Protection keys for user-mode pages: CR4.PKE, PKRU with RDPKRU/WRPKRU and XSAVE component 9.</summary>
    Pku = 1 << 18,

    /// <summary>Protection keys for supervisor-mode pages: CR4.PKS and IA32_PKRS.</summary>
    Pks = 1 << 19,

    /// <summary>SSE3 (Cpu/Instructions/SseInstructionForms; FISTTP in X87InstructionForms; MONITOR/MWAIT are a bit of their own, not reported).</summary>
    Sse3 = 1 << 20,

    /// <summary>SSE4.1 (all of it: it has no MMX-register forms).</summary>
    Sse41 = 1 << 21,

    /// <summary>SSE4.2: PCMPxSTRx, PCMPGTQ and CRC32 (POPCNT has a bit of its own).</summary>
    Sse42 = 1 << 22,

    /// <summary>MMX: MM0-MM7 on the x87 registers and their instructions (Cpu/Instructions/MmxInstructionForms).</summary>
    Mmx = 1 << 23,

    /// <summary>SSSE3, its XMM and MMX-register forms.</summary>
    Ssse3 = 1 << 24,

    /// <summary>The paging features the MMU's walker and TLB implement (Mmu/Paging, Mmu/Tlb).</summary>
    Paging = Pse | Pae | Pge | Pat | Nx | Pages1G | Pcid | Invpcid | Smep | Smap | Pku | Pks,

    /// <summary>The register files and their save/restore instructions (Cpu/System/ExtendedState).</summary>
    ExtendedState = Fxsr | Xsave | SseState,

    /// <summary>The floating-point and vector instruction sets on those register files.</summary>
    FloatingPoint = Fpu | Mmx | Sse | Sse2 | Sse3 | Ssse3 | Sse41 | Sse42,
}
