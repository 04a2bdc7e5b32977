namespace Mmu.Paging;

/// <summary>Why a linear address is being translated; each kind has its own TLB tag.</summary>
public enum AccessKind
{
    Read = 0,
    Write = 1,
    Execute = 2,
}
