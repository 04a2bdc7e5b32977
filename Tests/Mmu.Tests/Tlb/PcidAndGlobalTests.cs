using Mmu.Tests.Paging;
using static Mmu.Tests.Paging.PageTables;

namespace Mmu.Tests.Tlb;

/// <summary>PCID-tagged entries, CR3 writes with and without bit 63, and global pages (SDM 4.10).</summary>
public class PcidAndGlobalTests
{
    private const ulong NoFlush = 1UL << 63;
    private const int Pages = 8;

    /// <summary>Two address spaces that map the same linear pages to different frames, plus one global page.</summary>
    private static (ulong A, ulong B) TwoAddressSpaces(PageTables pt)
    {
        ulong a = pt.EnableFourLevel(cr4Extra: Cr4Pge);
        ulong b = pt.NewTable();
        for (ulong i = 0; i < Pages; i++)
        {
            pt.Map(a, 0x40_0000 + (i * 4096), 0x20_0000 + (i * 4096), P | RW | US);
            pt.Map(b, 0x40_0000 + (i * 4096), 0x30_0000 + (i * 4096), P | RW | US);
            pt.Write(0x20_0000 + (i * 4096), 0xA0 + i);
            pt.Write(0x30_0000 + (i * 4096), 0xB0 + i);
        }

        pt.Map(a, 0xFFFF_8000_0000_0000, 0x50_0000, P | RW | G);
        pt.Map(b, 0xFFFF_8000_0000_0000, 0x50_0000, P | RW | G);
        pt.Write(0x50_0000, 0x6106A1);
        return (a, b);
    }

    private static void ReadAll(PageTables pt, ulong first)
    {
        for (ulong i = 0; i < Pages; i++)
        {
            Assert.Equal(first + i, pt.Memory.Read64(0x40_0000 + (i * 4096)));
        }
    }

    [Fact]
    public void SwitchingBetweenTwoPcidsKeepsBothAddressSpaces()
    {
        using var pt = new PageTables();
        var (a, b) = TwoAddressSpaces(pt);
        pt.Memory.SetPagingControls(pt.Memory.Cr0, pt.Memory.Cr4 | Cr4Pcide, pt.Memory.Efer);
        MmuCounters c = pt.Memory.Counters;

        pt.Memory.LoadCr3(a | 1);
        ReadAll(pt, 0xA0);
        pt.Memory.LoadCr3(b | 2 | NoFlush);
        ReadAll(pt, 0xB0);
        Assert.Equal(2 * Pages, c.PageWalks);

        for (int round = 0; round < 3; round++)
        {
            pt.Memory.LoadCr3(a | 1 | NoFlush);
            ReadAll(pt, 0xA0);
            pt.Memory.LoadCr3(b | 2 | NoFlush);
            ReadAll(pt, 0xB0);
        }

        Assert.Equal(2 * Pages, c.PageWalks); // no walk on return to either address space
        Assert.Equal(6 * Pages, c.VictimHits);
        Assert.Equal(7, c.Cr3WritesWithoutFlush);

        // Without bit 63 the PCID's entries go: the next accesses walk again.
        pt.Memory.LoadCr3(a | 1);
        ReadAll(pt, 0xA0);
        Assert.Equal(3 * Pages, c.PageWalks);
        Assert.Equal(3, c.Cr3WritesWithFlush);
    }

    [Fact]
    public void GlobalPageSurvivesCr3WritesWithoutPcid()
    {
        using var pt = new PageTables();
        var (a, b) = TwoAddressSpaces(pt);
        MmuCounters c = pt.Memory.Counters;
        Assert.Equal(0x6106A1UL, pt.Memory.Read64(0xFFFF_8000_0000_0000));
        ReadAll(pt, 0xA0);
        long walks = c.PageWalks;

        pt.Memory.LoadCr3(b);
        Assert.Equal(0x6106A1UL, pt.Memory.Read64(0xFFFF_8000_0000_0000));
        Assert.Equal(walks, c.PageWalks);
        ReadAll(pt, 0xB0);
        Assert.Equal(walks + Pages, c.PageWalks);

        pt.Memory.LoadCr3(a);
        ReadAll(pt, 0xA0);
        Assert.Equal(walks + (2 * Pages), c.PageWalks); // non-global entries were flushed
        Assert.Equal(0x6106A1UL, pt.Memory.Read64(0xFFFF_8000_0000_0000));
        Assert.Equal(walks + (2 * Pages), c.PageWalks);
    }

    [Fact]
    public void GlobalPageIsSharedByAllPcids()
    {
        using var pt = new PageTables();
        var (a, b) = TwoAddressSpaces(pt);
        pt.Memory.SetPagingControls(pt.Memory.Cr0, pt.Memory.Cr4 | Cr4Pcide, pt.Memory.Efer);
        pt.Memory.LoadCr3(a | 1);
        pt.Memory.Read64(0xFFFF_8000_0000_0000);
        long walks = pt.Memory.Counters.PageWalks;
        pt.Memory.LoadCr3(b | 2);
        pt.Memory.LoadCr3(b | 3);
        Assert.Equal(0x6106A1UL, pt.Memory.Read64(0xFFFF_8000_0000_0000));
        Assert.Equal(walks, pt.Memory.Counters.PageWalks);
    }

    [Fact]
    public void TogglingPgeFlushesGlobalPages()
    {
        using var pt = new PageTables();
        TwoAddressSpaces(pt);
        pt.Memory.Read64(0xFFFF_8000_0000_0000);
        long walks = pt.Memory.Counters.PageWalks;
        pt.Memory.SetPagingControls(pt.Memory.Cr0, pt.Memory.Cr4 & ~Cr4Pge, pt.Memory.Efer);
        pt.Memory.SetPagingControls(pt.Memory.Cr0, pt.Memory.Cr4 | Cr4Pge, pt.Memory.Efer);
        pt.Memory.Read64(0xFFFF_8000_0000_0000);
        Assert.Equal(walks + 1, pt.Memory.Counters.PageWalks);
        Assert.Equal(2 + 2, pt.Memory.Counters.FullFlushes); // setting PAE, enabling paging, and the two PGE writes
    }

    [Fact]
    public void GlobalBitNeedsPge()
    {
        using var pt = new PageTables();
        TwoAddressSpaces(pt);
        pt.Memory.SetPagingControls(pt.Memory.Cr0, pt.Memory.Cr4 & ~Cr4Pge, pt.Memory.Efer);
        pt.Memory.Read64(0xFFFF_8000_0000_0000);
        long walks = pt.Memory.Counters.PageWalks;
        pt.Memory.LoadCr3(pt.Memory.Cr3);
        pt.Memory.Read64(0xFFFF_8000_0000_0000);
        Assert.Equal(walks + 1, pt.Memory.Counters.PageWalks);
    }

    [Fact]
    public void ManyCr3WritesRecycleAddressSpaceIdsWithoutLosingCorrectness()
    {
        using var pt = new PageTables();
        var (a, b) = TwoAddressSpaces(pt);
        for (int i = 0; i < 2500; i++)
        {
            pt.Memory.LoadCr3((i & 1) == 0 ? b : a);
            Assert.Equal((i & 1) == 0 ? 0xB3UL : 0xA3UL, pt.Memory.Read64(0x40_3000));
            Assert.Equal(0x6106A1UL, pt.Memory.Read64(0xFFFF_8000_0000_0000));
        }

        Assert.Equal(2500 + 1, pt.Memory.Counters.PageWalks); // one walk per CR3 write, the global page once
    }
}
