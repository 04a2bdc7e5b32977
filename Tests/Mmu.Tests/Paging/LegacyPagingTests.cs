using Mmu.Paging;
using static Mmu.Tests.Paging.PageTables;

namespace Mmu.Tests.Paging;

/// <summary>32-bit paging (SDM 4.3) with and without PSE, and PAE paging (SDM 4.4).</summary>
public class LegacyPagingTests
{
    [Fact]
    public void ThirtyTwoBitPagingMaps4KiBPagesWithFourByteEntries()
    {
        using var pt = new PageTables();
        ulong pd = pt.NewTable();
        ulong ptab = pt.NewTable();
        pt.Write(pd + ((0xC040_0000UL >> 22) * 4), ptab | P | RW | US, 4);
        pt.Write(ptab + (((0xC040_3000UL >> 12) & 1023) * 4), 0x30_0000 | P | US, 4);
        pt.Memory.LoadCr3(pd);
        pt.Memory.SetPagingControls(Cr0Pe | Cr0Pg | Cr0Wp, 0, 0);
        Assert.Equal(PagingMode.Bits32, pt.Memory.Mode);
        Assert.Equal(0x30_0ABCUL, pt.Memory.Translate(0xC040_3ABC, AccessKind.Read, true));
        Assert.Equal(A, pt.Read(pd + ((0xC040_0000UL >> 22) * 4), 4) & A);

        // Read-only page: a supervisor write faults with WP = 1; no I/D bit without PAE.
        var f = Assert.Throws<PageFaultException>(() => pt.Memory.Write8(0xC040_3000, 1));
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.Write, f.ErrorCode);
        pt.Memory.UserMode = true;
        Assert.Equal(0x30_0000UL, pt.Memory.Translate(0xC040_3000, AccessKind.Execute, true));
        var n = Assert.Throws<PageFaultException>(() => pt.Memory.Fetch8(0xC040_4000));
        Assert.Equal(PageFaultErrorCode.User, n.ErrorCode);
    }

    [Fact]
    public void PseMaps4MiBPagesWithPse36HighBits()
    {
        using var pt = new PageTables();
        ulong pd = pt.NewTable();
        // Physical 0x0_0040_0000 (in RAM) and a second PDE pointing above 4 GiB via PDE bits 20:13.
        pt.Write(pd + (1 * 4), 0x0040_0000UL | P | RW | PS, 4);
        pt.Write(pd + (2 * 4), 0x0080_0000UL | (0x12UL << 13) | P | RW | PS, 4);
        pt.Memory.LoadCr3(pd);
        pt.Memory.SetPagingControls(Cr0Pe | Cr0Pg, Cr4Pse, 0);
        Assert.Equal(0x0052_3456UL, pt.Memory.Translate(0x0052_3456, AccessKind.Read, false));
        Assert.Equal(0x12_0090_0000UL, pt.Memory.Translate(0x0090_0000, AccessKind.Read, false));
        pt.Memory.Write8(0x0040_0010, 9);
        Assert.Equal(A | D, pt.Read(pd + 4, 4) & (A | D));

        // Bit 21 of a 4 MiB PDE is reserved.
        pt.Write(pd + (3 * 4), 0x00C0_0000UL | (1UL << 21) | P | PS, 4);
        var f = Assert.Throws<PageFaultException>(() => pt.Memory.Read8(0x00C0_0000));
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit, f.ErrorCode);
    }

    [Fact]
    public void WithoutPsePdePsBitIsIgnored()
    {
        using var pt = new PageTables();
        ulong pd = pt.NewTable();
        ulong ptab = pt.NewTable();
        pt.Write(pd + 4, ptab | P | RW | PS, 4);
        pt.Write(ptab + 8, 0x30_0000 | P, 4);
        pt.Memory.LoadCr3(pd);
        pt.Memory.SetPagingControls(Cr0Pe | Cr0Pg, 0, 0);
        Assert.Equal(0x30_0010UL, pt.Memory.Translate(0x0040_2010, AccessKind.Read, false));
    }

    private static (ulong Pdpt, ulong Pd, ulong Pt) BuildPae(PageTables pt, ulong pdpteFlags = P)
    {
        ulong pdpt = pt.NewTable();
        ulong pd = pt.NewTable();
        ulong table = pt.NewTable();
        pt.Write(pdpt + (3 * 8), pd | pdpteFlags);             // 0xC000_0000..
        pt.Write(pd + (2 * 8), table | P | RW | US);           // 0xC040_0000..
        pt.Write(table + (5 * 8), 0x30_0000 | P | RW | US | XD); // 0xC040_5000
        pt.Write(pd + (3 * 8), 0x40_0000 | P | RW | PS);       // 0xC060_0000, 2 MiB
        return (pdpt, pd, table);
    }

    [Fact]
    public void PaeMaps4KiBAnd2MiBPagesWithNx()
    {
        using var pt = new PageTables();
        var (pdpt, _, _) = BuildPae(pt);
        pt.Memory.LoadCr3(pdpt);
        pt.Memory.SetPagingControls(Cr0Pe | Cr0Pg | Cr0Wp, Cr4Pae, EferNxe);
        Assert.Equal(PagingMode.Pae, pt.Memory.Mode);
        Assert.Equal(0x30_0123UL, pt.Memory.Translate(0xC040_5123, AccessKind.Write, true));
        Assert.Equal(0x5F_FFFFUL, pt.Memory.Translate(0xC07F_FFFF, AccessKind.Read, false));
        var f = Assert.Throws<PageFaultException>(() => pt.Memory.Fetch8(0xC040_5000));
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.InstructionFetch, f.ErrorCode);
        var np = Assert.Throws<PageFaultException>(() => pt.Memory.Read8(0x4000_0000)); // PDPTE 1 not present
        Assert.Equal(0U, np.ErrorCode);
    }

    [Fact]
    public void PaeReservesBits62ToMaxPhyAddrAndXdWithoutNxe()
    {
        using var pt = new PageTables();
        var (pdpt, pd, table) = BuildPae(pt);
        pt.Memory.LoadCr3(pdpt);
        pt.Memory.SetPagingControls(Cr0Pe | Cr0Pg, Cr4Pae, 0);
        var xd = Assert.Throws<PageFaultException>(() => pt.Memory.Read8(0xC040_5000));
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit, xd.ErrorCode);
        pt.Write(pd + (3 * 8), 0x40_0000 | P | RW | PS | (1UL << 55));
        var high = Assert.Throws<PageFaultException>(() => pt.Memory.Read8(0xC060_0000));
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit, high.ErrorCode);
        _ = table;
    }

    [Fact]
    public void PdptesAreLoadedWithCr3AndCheckedForReservedBits()
    {
        using var pt = new PageTables();
        var (pdpt, _, _) = BuildPae(pt);
        pt.Memory.LoadCr3(pdpt);
        pt.Memory.SetPagingControls(Cr0Pe | Cr0Pg, Cr4Pae, EferNxe);
        Assert.Equal(0x30_0000UL, pt.Memory.Translate(0xC040_5000, AccessKind.Read, false));

        // Changing the PDPT in memory does nothing until CR3 is loaded again (the PDPTE registers).
        pt.Write(pdpt + (3 * 8), 0);
        pt.Memory.InvalidatePage(0xC040_5000);
        Assert.Equal(0x30_0000UL, pt.Memory.Translate(0xC040_5000, AccessKind.Read, false));
        pt.Memory.LoadCr3(pdpt);
        Assert.Throws<PageFaultException>(() => pt.Memory.Translate(0xC040_5000, AccessKind.Read, false));

        // A present PDPTE with a reserved bit (bit 1 here) makes the MOV to CR3 fail with #GP.
        pt.Write(pdpt + (3 * 8), pt.NewTable() | P | RW);
        Assert.False(pt.Memory.PdptesAreValid(pdpt));
        pt.Write(pdpt + (3 * 8), pt.NewTable() | P | PWT | PCD);
        Assert.True(pt.Memory.PdptesAreValid(pdpt));
    }
}
