using Mmu.Physical;

namespace Mmu.Tests.Paging;

/// <summary>
/// Hand-built paging structures in a small guest RAM, for walker and TLB tests. Tables are taken
/// from a bump allocator at 1 MiB; every helper returns the physical addresses of the entries it
/// wrote so that a test can change one level's flags.
/// </summary>
internal sealed class PageTables : IDisposable
{
    public const ulong P = 1, RW = 2, US = 4, PWT = 8, PCD = 0x10, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
    public const ulong XD = 1UL << 63;
    public const ulong Upper = P | RW | US;

    public const ulong Cr0Pe = 1, Cr0Wp = 1UL << 16, Cr0Pg = 1UL << 31;
    public const ulong Cr4Pse = 1 << 4, Cr4Pae = 1 << 5, Cr4Pge = 1 << 7, Cr4Pcide = 1 << 17, Cr4Smep = 1 << 20, Cr4Smap = 1 << 21;
    public const ulong EferLme = 1 << 8, EferLma = 1 << 10, EferNxe = 1 << 11;

    private ulong next = 0x10_0000;

    public PageTables(ulong ramSize = 8 * 1024 * 1024)
    {
        Ram = new PhysicalMemory(ramSize);
        Bus = new PhysicalBus(Ram);
        Memory = new LinearMemory(Bus);
    }

    public PhysicalMemory Ram { get; }

    public PhysicalBus Bus { get; }

    public LinearMemory Memory { get; }

    public ulong NewTable()
    {
        ulong t = next;
        next += 4096;
        Ram.Span(t, 4096).Clear();
        return t;
    }

    public ulong Read(ulong physical, int size = 8) => Bus.Read(physical, size);

    public void Write(ulong physical, ulong value, int size = 8) => Bus.Write(physical, size, value);

    /// <summary>Turns on 4-level paging with a fresh PML4 at CR3 (plus <paramref name="cr3Low"/> bits).</summary>
    public ulong EnableFourLevel(ulong cr0Extra = Cr0Wp, ulong cr4Extra = 0, ulong eferExtra = EferNxe, ulong cr3Low = 0)
    {
        ulong pml4 = NewTable();
        Memory.SetPagingControls(Cr0Pe, cr4Extra | Cr4Pae, 0);
        Memory.LoadCr3(pml4 | cr3Low);
        Memory.SetPagingControls(Cr0Pe | Cr0Pg | cr0Extra, Cr4Pae | cr4Extra, EferLme | EferLma | eferExtra);
        return pml4;
    }

    /// <summary>Entry addresses of a 4-level mapping, from the PML4E down (0 for levels the mapping does not use).</summary>
    public sealed record Mapping(ulong Pml4e, ulong Pdpte, ulong Pde, ulong Pte)
    {
        public ulong Leaf => Pte != 0 ? Pte : Pde != 0 ? Pde : Pdpte;
    }

    /// <summary>Maps one page of <paramref name="pageSize"/> (4K, 2M or 1G) in the 4-level tables at <paramref name="pml4"/>.</summary>
    public Mapping Map(ulong pml4, ulong linear, ulong physical, ulong leafFlags, ulong pageSize = 4096, ulong upperFlags = Upper)
    {
        ulong pml4e = pml4 + (((linear >> 39) & 511) * 8);
        ulong pdpt = TableAt(pml4e, upperFlags);
        ulong pdpte = pdpt + (((linear >> 30) & 511) * 8);
        if (pageSize == 1UL << 30)
        {
            Write(pdpte, physical | leafFlags | PS);
            return new Mapping(pml4e, pdpte, 0, 0);
        }

        ulong pd = TableAt(pdpte, upperFlags);
        ulong pde = pd + (((linear >> 21) & 511) * 8);
        if (pageSize == 1UL << 21)
        {
            Write(pde, physical | leafFlags | PS);
            return new Mapping(pml4e, pdpte, pde, 0);
        }

        ulong pt = TableAt(pde, upperFlags);
        ulong pte = pt + (((linear >> 12) & 511) * 8);
        Write(pte, physical | leafFlags);
        return new Mapping(pml4e, pdpte, pde, pte);
    }

    /// <summary>Turns on 32-bit paging with a fresh page directory.</summary>
    public ulong EnableBits32(ulong cr0Extra = Cr0Wp, ulong cr4Extra = 0, ulong eferExtra = 0)
    {
        ulong pd = NewTable();
        Memory.LoadCr3(pd);
        Memory.SetPagingControls(Cr0Pe | Cr0Pg | cr0Extra, cr4Extra, eferExtra);
        return pd;
    }

    /// <summary>Turns on PAE paging with a PDPT whose four entries point to fresh page directories.</summary>
    public ulong EnablePae(ulong cr0Extra = Cr0Wp, ulong cr4Extra = 0, ulong eferExtra = EferNxe)
    {
        ulong pdpt = NewTable();
        for (int i = 0; i < 4; i++)
        {
            Write(pdpt + (ulong)(i * 8), NewTable() | P);
        }

        Memory.LoadCr3(pdpt);
        Memory.SetPagingControls(Cr0Pe | Cr0Pg | cr0Extra, Cr4Pae | cr4Extra, eferExtra);
        return pdpt;
    }

    /// <summary>Maps a 4 KiB page with 32-bit paging (4-byte entries) under the directory at <paramref name="pd"/>; returns the PDE and PTE addresses.</summary>
    public (ulong Pde, ulong Pte) MapBits32(ulong pd, ulong linear, ulong physical, ulong leafFlags, ulong upperFlags = Upper)
    {
        ulong pde = pd + (((linear >> 22) & 1023) * 4);
        ulong e = Read(pde, 4);
        if ((e & P) == 0)
        {
            e = NewTable() | upperFlags;
            Write(pde, e, 4);
        }

        ulong pte = (e & 0xFFFF_F000) + (((linear >> 12) & 1023) * 4);
        Write(pte, physical | leafFlags, 4);
        return (pde, pte);
    }

    /// <summary>Maps a 4 KiB page with PAE paging under the PDPT at <paramref name="pdpt"/>; returns the PDE and PTE addresses.</summary>
    public (ulong Pde, ulong Pte) MapPae(ulong pdpt, ulong linear, ulong physical, ulong leafFlags, ulong upperFlags = Upper)
    {
        ulong pd = Read(pdpt + (((linear >> 30) & 3) * 8)) & 0x000F_FFFF_FFFF_F000;
        ulong pde = pd + (((linear >> 21) & 511) * 8);
        ulong e = Read(pde);
        if ((e & P) == 0)
        {
            e = NewTable() | upperFlags;
            Write(pde, e);
        }

        ulong pte = (e & 0x000F_FFFF_FFFF_F000) + (((linear >> 12) & 511) * 8);
        Write(pte, physical | leafFlags);
        return (pde, pte);
    }

    public void Dispose() => Ram.Dispose();

    private ulong TableAt(ulong entryAddress, ulong flags)
    {
        ulong e = Read(entryAddress);
        if ((e & P) != 0)
        {
            return e & 0x000F_FFFF_FFFF_F000;
        }

        ulong t = NewTable();
        Write(entryAddress, t | flags);
        return t;
    }
}
