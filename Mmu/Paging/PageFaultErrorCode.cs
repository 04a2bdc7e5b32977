namespace Mmu.Paging;

/// <summary>Bits of the #PF error code (Intel SDM 4.7, figure 4-12).</summary>
public static class PageFaultErrorCode
{
    /// <summary>0: the page (or a paging structure) was not present; 1: a protection or reserved-bit violation.</summary>
    public const uint Present = 1 << 0;

    /// <summary>The access was a write.</summary>
    public const uint Write = 1 << 1;

    /// <summary>The access was a user-mode access (CPL 3, not an implicit supervisor access).</summary>
    public const uint User = 1 << 2;

    /// <summary>A reserved bit was set in a present paging-structure entry.</summary>
    public const uint ReservedBit = 1 << 3;

    /// <summary>The access was an instruction fetch (reported only with CR4.SMEP, or with PAE/4-level paging and EFER.NXE).</summary>
    public const uint InstructionFetch = 1 << 4;

    /// <summary>A data access denied by a protection key: PKRU for a user-mode page, IA32_PKRS for a supervisor-mode page (SDM 4.6.2).</summary>
    public const uint ProtectionKey = 1 << 5;
}
