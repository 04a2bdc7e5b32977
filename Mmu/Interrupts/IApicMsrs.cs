namespace Mmu.Interrupts;

/// <summary>
/// The local APIC's MSR side as the CPU's RDMSR/WRMSR reach it: IA32_APIC_BASE (1BH), IA32_TSC_DEADLINE
/// (6E0H) and, in x2APIC mode, the registers at 800H-8FFH (Intel SDM Vol. 3A, 11.4.4, 11.5.4.1, 11.12).
/// Lives here because Cpu and Devices meet only through Mmu.
/// </summary>
public interface IApicMsrs
{
    /// <summary>IA32_APIC_BASE.EN: CPUID.1:EDX.APIC reads clear while it is 0 (SDM 11.4.3).</summary>
    bool GloballyEnabled { get; }

    /// <summary>RDMSR of <paramref name="index"/>; false means #GP(0).</summary>
    bool TryReadMsr(uint index, out ulong value);

    /// <summary>WRMSR of <paramref name="index"/>; false means #GP(0) and nothing changed.</summary>
    bool TryWriteMsr(uint index, ulong value);
}
