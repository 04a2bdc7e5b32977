namespace Mmu.Interrupts;

/// <summary>The MSR indices the local APIC serves (Intel SDM Vol. 4; Vol. 3A, 11.4.4, 11.5.4.1, 11.12.1.2).</summary>
public static class ApicMsrIndex
{
    /// <summary>IA32_APIC_BASE.</summary>
    public const uint ApicBase = 0x1B;

    /// <summary>IA32_TSC_DEADLINE.</summary>
    public const uint TscDeadline = 0x6E0;

    /// <summary>The first and last x2APIC register MSRs (800H + xAPIC offset / 16).</summary>
    public const uint X2ApicFirst = 0x800;
    public const uint X2ApicLast = 0x8FF;
}
