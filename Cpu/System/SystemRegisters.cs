using Mmu.Interrupts;

namespace Cpu.System;

/// <summary>
/// The system state of a processor beyond <see cref="State.CpuState"/>: the MSR file, the debug
/// registers, the time source of the TSC and the optional features reported by CPUID.
/// </summary>
public sealed class SystemRegisters
{
    /// <summary>The model-specific registers.</summary>
    public ModelSpecificRegisters Msr { get; private set; } = new();

    /// <summary>DR0-DR7 (DR4/DR5 alias DR6/DR7), acted on by <see cref="Cpu.Debug.DebugRegisters"/>.</summary>
    public readonly ulong[] Debug = [0, 0, 0, 0, 0, 0, Dr6PowerUp, Dr7PowerUp];

    private const ulong Dr6PowerUp = 0xFFFF_0FF0;
    private const ulong Dr7PowerUp = 0x400;

    /// <summary>CR8 when no interrupt controller is attached.</summary>
    public ulong Cr8;

    /// <summary>Optional features reported by CPUID and accepted in CR4/EFER.</summary>
    public CpuFeatures Features { get; set; } = CpuFeatures.Paging | CpuFeatures.ExtendedState | CpuFeatures.FloatingPoint;

    /// <summary>
    /// The time-stamp counter's source, set by the machine (its virtual clock). When null, the TSC counts
    /// retired instructions.
    /// </summary>
    public Func<ulong>? TimeSource { get; set; }

    /// <summary>
    /// The local APIC's MSRs (IA32_APIC_BASE, IA32_TSC_DEADLINE, the x2APIC registers), set by a machine
    /// that has one. When null, IA32_APIC_BASE is the plain register <see cref="ModelSpecificRegisters.ApicBase"/>
    /// and the others raise #GP; whoever sets it also adds <see cref="CpuFeatures.TscDeadline"/> and
    /// <see cref="CpuFeatures.X2Apic"/> so CPUID says so.
    /// </summary>
    public IApicMsrs? Apic { get; set; }

    /// <summary>RESET: the MSRs at their power-up values, the debug registers and CR8 cleared (SDM Vol. 3A Table 10-1).</summary>
    public void ResetToPowerOn()
    {
        Msr = new ModelSpecificRegisters();
        Array.Clear(Debug);
        Debug[6] = Dr6PowerUp;
        Debug[7] = Dr7PowerUp;
        Cr8 = 0;
    }
}
