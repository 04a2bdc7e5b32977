using Mmu.Paging;
using static Mmu.Tests.Paging.PageTables;

namespace Mmu.Tests.Paging;

/// <summary>Not-present and reserved-bit faults at every level, with the exact error codes of SDM 4.7.</summary>
public class FaultTests
{
    private const ulong Linear = 0x0000_7F12_3456_7000;

    [Theory]
    [InlineData(0, false, AccessKind.Read, 0u)]
    [InlineData(1, false, AccessKind.Write, PageFaultErrorCode.Write)]
    [InlineData(2, true, AccessKind.Read, PageFaultErrorCode.User)]
    [InlineData(3, true, AccessKind.Write, PageFaultErrorCode.User | PageFaultErrorCode.Write)]
    [InlineData(3, false, AccessKind.Execute, PageFaultErrorCode.InstructionFetch)]
    [InlineData(0, true, AccessKind.Execute, PageFaultErrorCode.User | PageFaultErrorCode.InstructionFetch)]
    public void NotPresentAtAnyLevelGivesPZero(int level, bool user, AccessKind kind, uint expected)
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel();
        var m = pt.Map(pml4, Linear, 0x20_0000, P | RW | US);
        ulong[] entries = [m.Pml4e, m.Pdpte, m.Pde, m.Pte];
        pt.Write(entries[level], pt.Read(entries[level]) & ~P);
        pt.Memory.UserMode = user;
        var f = Assert.Throws<PageFaultException>(() => pt.Memory.Translate(Linear + 0x10, kind, user));
        Assert.Equal(Linear + 0x10, f.LinearAddress);
        Assert.Equal(expected, f.ErrorCode);
        Assert.Equal(1, pt.Memory.Counters.PageFaults);
    }

    [Fact]
    public void InstructionFetchBitNeedsNxeOrSmep()
    {
        using var pt = new PageTables();
        pt.EnableFourLevel(eferExtra: 0);
        Assert.Equal(0U, Assert.Throws<PageFaultException>(() => pt.Memory.Fetch8(Linear)).ErrorCode);
        pt.Memory.SetPagingControls(pt.Memory.Cr0, pt.Memory.Cr4 | Cr4Smep, pt.Memory.Efer);
        Assert.Equal(PageFaultErrorCode.InstructionFetch, Assert.Throws<PageFaultException>(() => pt.Memory.Fetch8(Linear)).ErrorCode);
    }

    public static TheoryData<int, ulong, ulong> ReservedBits() => new()
    {
        // level (0 = PML4E .. 3 = PTE), page size, bit to set
        { 0, 4096, PS },                 // PS is reserved in a PML4E
        { 0, 4096, 1UL << 40 },           // bits 51:MAXPHYADDR
        { 1, 4096, 1UL << 51 },
        { 2, 4096, 1UL << 45 },
        { 3, 4096, 1UL << 40 },
        { 1, 1UL << 30, 1UL << 13 },      // bits 29:13 of a 1 GiB PDPTE
        { 1, 1UL << 30, 1UL << 29 },
        { 2, 1UL << 21, 1UL << 13 },      // bits 20:13 of a 2 MiB PDE
        { 2, 1UL << 21, 1UL << 20 },
    };

    [Theory]
    [MemberData(nameof(ReservedBits))]
    public void ReservedBitGivesRsvdAndP(int level, ulong pageSize, ulong bit)
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel();
        var m = pt.Map(pml4, Linear & ~(pageSize - 1), 0x4000_0000, P | RW | US, pageSize);
        ulong[] entries = [m.Pml4e, m.Pdpte, m.Pde, m.Pte];
        pt.Write(entries[level], pt.Read(entries[level]) | bit);
        pt.Memory.UserMode = true;
        var f = Assert.Throws<PageFaultException>(() => pt.Memory.Write8(Linear + 5, 1));
        Assert.Equal(Linear + 5, f.LinearAddress);
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit | PageFaultErrorCode.Write | PageFaultErrorCode.User, f.ErrorCode);
    }

    [Fact]
    public void ExecuteDisableBitIsReservedWithoutNxe()
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel(eferExtra: 0);
        pt.Map(pml4, Linear, 0x20_0000, P | RW | XD);
        var f = Assert.Throws<PageFaultException>(() => pt.Memory.Read8(Linear));
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit, f.ErrorCode);
    }

    [Fact]
    public void ReservedBitsAreNotCheckedInNotPresentEntries()
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel();
        var m = pt.Map(pml4, Linear, 0x20_0000, RW | (1UL << 45));
        Assert.Equal(0U, Assert.Throws<PageFaultException>(() => pt.Memory.Read8(Linear)).ErrorCode);
    }

    [Fact]
    public void BitsAboveFiftyOneAreIgnoredInFourLevelEntries()
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel();
        pt.Map(pml4, Linear, 0x20_0000, P | RW | (0x7FFUL << 52));
        pt.Memory.Write8(Linear, 7);
        Assert.Equal(7UL, pt.Read(0x20_0000, 1));
    }

    [Fact]
    public void WithoutOneGiBPagesPdptePsIsReserved()
    {
        using var pt = new PageTables();
        var walker = new PageWalker(pt.Bus) { Supports1GiBPages = false };
        ulong pml4 = pt.NewTable();
        pt.Map(pml4, 0x4000_0000, 0x4000_0000, P | RW, 1UL << 30);
        walker.SetControls(Cr0Pe | Cr0Pg, pml4, Cr4Pae, EferLme | EferLma);
        Assert.False(walker.TryTranslate(0x4000_0000, AccessKind.Read, PrivilegeContext.Supervisor, out _, out uint code));
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit, code);
    }

    [Fact]
    public void CanonicalAddressesAreRecognised()
    {
        Assert.True(LinearMemory.IsCanonical(0x0000_7FFF_FFFF_FFFF));
        Assert.True(LinearMemory.IsCanonical(0xFFFF_8000_0000_0000));
        Assert.False(LinearMemory.IsCanonical(0x0000_8000_0000_0000));
        Assert.False(LinearMemory.IsCanonical(0xFFFF_7FFF_FFFF_FFFF));
    }
}
