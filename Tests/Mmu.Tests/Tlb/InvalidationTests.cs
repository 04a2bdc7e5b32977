using Mmu.Tests.Paging;
using static Mmu.Tests.Paging.PageTables;

namespace Mmu.Tests.Tlb;

/// <summary>INVLPG, INVPCID types 0-3 and flushes on control-register changes (SDM 4.10.4).</summary>
public class InvalidationTests
{
    private const ulong NoFlush = 1UL << 63;
    private const ulong Page1 = 0x40_0000;
    private const ulong Page2 = 0x40_1000;
    private const ulong GlobalPage = 0xFFFF_8000_0000_0000;

    /// <summary>PCIDs 1 and 2 on the same tables; Page1 and Page2 read in both, and the global page.</summary>
    private static PageTables Setup(out ulong root)
    {
        var pt = new PageTables();
        root = pt.EnableFourLevel(cr4Extra: Cr4Pge);
        pt.Map(root, Page1, 0x20_0000, P | RW);
        pt.Map(root, Page2, 0x20_1000, P | RW);
        pt.Map(root, GlobalPage, 0x20_2000, P | RW | G);
        pt.Memory.SetPagingControls(pt.Memory.Cr0, pt.Memory.Cr4 | Cr4Pcide, pt.Memory.Efer);
        foreach (ulong pcid in new ulong[] { 2, 1 })
        {
            pt.Memory.LoadCr3(root | pcid | NoFlush);
            pt.Memory.Read8(Page1);
            pt.Memory.Read8(Page2);
            pt.Memory.Read8(GlobalPage);
        }

        Assert.Equal(5, pt.Memory.Counters.PageWalks);
        return pt;
    }

    /// <summary>Which of Page1, Page2 and the global page need a walk now, in PCID <paramref name="pcid"/>.</summary>
    private static string Walked(PageTables pt, ulong root, ulong pcid)
    {
        pt.Memory.LoadCr3(root | pcid | NoFlush);
        string result = string.Empty;
        foreach ((ulong page, char name) in new[] { (Page1, '1'), (Page2, '2'), (GlobalPage, 'G') })
        {
            long before = pt.Memory.Counters.PageWalks;
            pt.Memory.Read8(page);
            if (pt.Memory.Counters.PageWalks != before)
            {
                result += name;
            }
        }

        return result;
    }

    [Fact]
    public void NothingIsWalkedAgainWithoutInvalidation()
    {
        using var pt = Setup(out ulong root);
        Assert.Equal(string.Empty, Walked(pt, root, 1));
        Assert.Equal(string.Empty, Walked(pt, root, 2));
    }

    [Fact]
    public void InvlpgDropsThePageForTheCurrentPcidAndGlobalPages()
    {
        using var pt = Setup(out ulong root);
        pt.Memory.InvalidatePage(Page1);
        pt.Memory.InvalidatePage(GlobalPage);
        Assert.Equal("1G", Walked(pt, root, 1));
        Assert.Equal(1, pt.Memory.Counters.PageFlushes - 1); // two INVLPGs
    }

    [Fact]
    public void InvpcidType0DropsOneNonGlobalPageOfOnePcid()
    {
        using var pt = Setup(out ulong root);
        pt.Memory.InvalidatePcid(0, 2, Page2);
        pt.Memory.InvalidatePcid(0, 2, GlobalPage); // global translations are not affected
        Assert.Equal(string.Empty, Walked(pt, root, 1));
        Assert.Equal("2", Walked(pt, root, 2));
    }

    [Fact]
    public void InvpcidType1DropsOnePcidsNonGlobalPages()
    {
        using var pt = Setup(out ulong root);
        pt.Memory.InvalidatePcid(1, 2, 0);
        Assert.Equal(string.Empty, Walked(pt, root, 1));
        Assert.Equal("12", Walked(pt, root, 2));
        Assert.Equal(1, pt.Memory.Counters.PcidFlushes - 1); // the first CR3 load flushed too
    }

    [Fact]
    public void InvpcidType2DropsEverythingIncludingGlobalPages()
    {
        using var pt = Setup(out ulong root);
        pt.Memory.InvalidatePcid(2, 0, 0);
        Assert.Equal("12G", Walked(pt, root, 1));
        Assert.Equal("12", Walked(pt, root, 2));
    }

    [Fact]
    public void InvpcidType3DropsEveryPcidButKeepsGlobalPages()
    {
        using var pt = Setup(out ulong root);
        pt.Memory.InvalidatePcid(3, 0, 0);
        Assert.Equal("12", Walked(pt, root, 1));
        Assert.Equal("12", Walked(pt, root, 2));
        Assert.Equal(1, pt.Memory.Counters.NonGlobalFlushes);
    }

    [Fact]
    public void StaleTranslationIsUsedUntilInvlpg()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        var m = pt.Map(root, Page1, 0x20_0000, P | RW);
        pt.Write(0x20_0000, 1);
        pt.Write(0x21_0000, 2);
        Assert.Equal(1UL, pt.Memory.Read64(Page1));
        pt.Write(m.Pte, 0x21_0000 | P | RW);
        Assert.Equal(1UL, pt.Memory.Read64(Page1)); // as on hardware: the TLB still holds the old translation
        pt.Memory.InvalidatePage(Page1 + 0x800);
        Assert.Equal(2UL, pt.Memory.Read64(Page1));
    }

    [Fact]
    public void InvlpgAnywhereInALargePageDropsAllOfIt()
    {
        using var pt = new PageTables(16 * 1024 * 1024);
        ulong root = pt.EnableFourLevel();
        var m = pt.Map(root, 0x4000_0000, 0x40_0000, P | RW, 1UL << 21);
        pt.Memory.Read8(0x4000_0000);
        pt.Memory.Read8(0x4010_0000);
        pt.Memory.Read8(0x401F_F000);
        pt.Write(m.Pde, 0x60_0000 | P | RW | PS);
        pt.Write(0x70_0000, 0x77);
        pt.Memory.InvalidatePage(0x4005_5000); // a piece that was never cached
        Assert.Equal(0x77UL, pt.Memory.Read8(0x4010_0000));
        Assert.Equal(0x60_0000UL, pt.Memory.Translate(0x4000_0000, Mmu.Paging.AccessKind.Read, false));
    }

    [Fact]
    public void ClearingWpTakesEffectAtOnce()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, Page1, 0x20_0000, P | D);
        Assert.Throws<Mmu.Paging.PageFaultException>(() => pt.Memory.Write8(Page1, 1));
        pt.Memory.SetPagingControls(pt.Memory.Cr0 & ~Cr0Wp, pt.Memory.Cr4, pt.Memory.Efer);
        pt.Memory.Write8(Page1, 1);
        Assert.Equal(1UL, pt.Read(0x20_0000, 1));
    }
}
