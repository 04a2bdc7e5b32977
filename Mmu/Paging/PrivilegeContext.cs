namespace Mmu.Paging;

/// <summary>
/// Who makes an access, as far as page-level protection cares (Intel SDM 4.6). Implicit supervisor
/// accesses (descriptor tables, TSS) are checked like explicit supervisor accesses with RFLAGS.AC = 0,
/// so three contexts cover every case; each has its own part of the TLB.
/// </summary>
public enum PrivilegeContext
{
    /// <summary>An access made at CPL 3 (not implicit).</summary>
    User = 0,

    /// <summary>A supervisor access: CPL &lt; 3, or any implicit supervisor access, with SMAP not overridden.</summary>
    Supervisor = 1,

    /// <summary>An explicit supervisor data access with CR4.SMAP = 1 and RFLAGS.AC = 1 (SMAP overridden).</summary>
    SupervisorSmapOverride = 2,
}
