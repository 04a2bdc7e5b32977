namespace Mmu.Paging;

/// <summary>The translation scheme selected by CR0.PG, CR4.PAE and EFER.LMA (Intel SDM 4.1.1).</summary>
public enum PagingMode
{
    /// <summary>CR0.PG = 0: linear addresses are physical addresses.</summary>
    None,

    /// <summary>32-bit paging (CR4.PAE = 0): two levels of 4-byte entries, 4 MiB pages with CR4.PSE.</summary>
    Bits32,

    /// <summary>PAE paging outside IA-32e mode: four PDPTE registers, then two levels of 8-byte entries.</summary>
    Pae,

    /// <summary>4-level paging in IA-32e mode (EFER.LMA = 1).</summary>
    FourLevel,
}
