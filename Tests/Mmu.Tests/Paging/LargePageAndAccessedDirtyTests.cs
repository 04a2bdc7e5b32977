using Mmu.Paging;
using static Mmu.Tests.Paging.PageTables;

namespace Mmu.Tests.Paging;

/// <summary>2 MiB and 1 GiB pages in 4-level paging, and the accessed/dirty flags (SDM 4.5, 4.8).</summary>
public class LargePageAndAccessedDirtyTests
{
    [Fact]
    public void TwoMiBPageKeepsTwentyOneOffsetBits()
    {
        using var pt = new PageTables(16 * 1024 * 1024);
        ulong pml4 = pt.EnableFourLevel();
        var m = pt.Map(pml4, 0xFFFF_FFFF_8000_0000, 0x40_0000, P | RW | G, 1UL << 21);
        pt.Memory.Write32(0xFFFF_FFFF_801F_FFF0, 0xCAFE);
        Assert.Equal(0xCAFEUL, pt.Read(0x5F_FFF0, 4));
        Assert.Equal(0x40_1234UL, pt.Memory.Translate(0xFFFF_FFFF_8000_1234, AccessKind.Read, false));
        Assert.Equal(0UL, m.Pte);
        Assert.Equal(A | D, pt.Read(m.Pde) & (A | D));
    }

    [Fact]
    public void OneGiBPageKeepsThirtyOffsetBits()
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel();
        pt.Map(pml4, 0x80_0000_0000, 0, P | RW, 1UL << 30);
        Assert.Equal(0x0076_5432UL, pt.Memory.Translate(0x80_0076_5432, AccessKind.Write, false));
        pt.Memory.Write8(0x80_0012_3456, 0x5A);
        Assert.Equal(0x5AUL, pt.Read(0x12_3456, 1));
    }

    [Fact]
    public void ReadSetsAccessedEverywhereAndDirtyNowhere()
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel();
        var m = pt.Map(pml4, 0x40_0000, 0x20_0000, P | RW);
        pt.Memory.Read8(0x40_0000);
        foreach (ulong e in new[] { m.Pml4e, m.Pdpte, m.Pde, m.Pte })
        {
            Assert.Equal(A, pt.Read(e) & (A | D));
        }
    }

    [Fact]
    public void FirstWriteSetsDirtyEvenAfterTheTranslationWasCachedByARead()
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel();
        var m = pt.Map(pml4, 0x40_0000, 0x20_0000, P | RW);
        pt.Memory.Read8(0x40_0000);
        pt.Memory.Read8(0x40_0001);
        Assert.Equal(0UL, pt.Read(m.Pte) & D);
        pt.Memory.Write8(0x40_0002, 1);
        Assert.Equal(D, pt.Read(m.Pte) & D);
        Assert.Equal(0UL, pt.Read(m.Pde) & D); // D exists only in the entry that maps the page
        Assert.Equal(2, pt.Memory.Counters.PageWalks);
    }

    [Fact]
    public void ProtectionFaultSetsAccessedInUpperLevelsButNotInTheLeaf()
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel();
        var m = pt.Map(pml4, 0x40_0000, 0x20_0000, P);
        Assert.Throws<PageFaultException>(() => pt.Memory.Write8(0x40_0000, 1));
        Assert.Equal(A, pt.Read(m.Pde) & A);
        Assert.Equal(0UL, pt.Read(m.Pte) & (A | D));
        Assert.Equal(0UL, pt.Read(0x20_0000, 1));
    }

    [Fact]
    public void ReservedBitFaultLeavesThatEntryAlone()
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel();
        var m = pt.Map(pml4, 0x40_0000, 0x20_0000, P | RW);
        pt.Write(m.Pde, pt.Read(m.Pde) | (1UL << 47));
        Assert.Throws<PageFaultException>(() => pt.Memory.Read8(0x40_0000));
        Assert.Equal(A, pt.Read(m.Pdpte) & A);
        Assert.Equal(0UL, pt.Read(m.Pde) & A);
    }

    [Fact]
    public void WalkerReportsCacheBitsAndGlobal()
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel(cr4Extra: Cr4Pge);
        pt.Map(pml4, 0x40_0000, 0x20_0000, P | PCD | PWT | G);
        Assert.True(pt.Memory.Walker.TryTranslate(0x40_0000, AccessKind.Read, PrivilegeContext.Supervisor, out Translation t, out _));
        Assert.True(t.CacheDisabled);
        Assert.True(t.WriteThrough);
        Assert.True(t.Global);
        Assert.False(t.Dirty);
        Assert.Equal(4096UL, t.PageSize);
    }
}
