namespace Mmu.Paging;

/// <summary>
/// The result of a successful walk: where the linear address lands and the rights the paging
/// structures give the whole page (combined over all levels, Intel SDM 4.6).
/// </summary>
public readonly record struct Translation
{
    /// <summary>The physical address of the translated byte.</summary>
    public required ulong PhysicalAddress { get; init; }

    /// <summary>Size of the page that maps it: 4 KiB, 2 MiB, 4 MiB or 1 GiB.</summary>
    public required ulong PageSize { get; init; }

    /// <summary>U/S = 1 at every level: a user-mode address.</summary>
    public required bool UserAccessible { get; init; }

    /// <summary>R/W = 1 at every level.</summary>
    public required bool Writable { get; init; }

    /// <summary>No level has XD = 1 (always true when EFER.NXE = 0 or with 32-bit paging).</summary>
    public required bool Executable { get; init; }

    /// <summary>The page entry's D bit after this walk (a write walk sets it).</summary>
    public required bool Dirty { get; init; }

    /// <summary>G = 1 in the page entry and CR4.PGE = 1: survives CR3 writes.</summary>
    public required bool Global { get; init; }

    /// <summary>PCD of the page entry.</summary>
    public required bool CacheDisabled { get; init; }

    /// <summary>PWT of the page entry.</summary>
    public required bool WriteThrough { get; init; }

    /// <summary>The leaf entry's protection key, bits 62:59 (4-level paging; 0 otherwise).</summary>
    public int ProtectionKey { get; init; }

    /// <summary>The linear address of the first byte of the page.</summary>
    public ulong LinearPageBase(ulong linear) => linear & ~(PageSize - 1);
}
