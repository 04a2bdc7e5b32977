using Mmu.Io;
using Mmu.Paging;
using Mmu.Tests.Paging;
using static Mmu.Tests.Paging.PageTables;

namespace Mmu.Tests.Tlb;

/// <summary>Page-crossing accesses, MMIO through paging, instruction fetch, and privilege separation in the TLB.</summary>
public class AccessPathTests
{
    private sealed class Recorder : IMmioDevice
    {
        public readonly List<string> Log = [];

        public ulong Read(ulong offset, int size)
        {
            Log.Add($"r{size}@{offset:X}");
            return 0x1234_5678_9ABC_DEF0;
        }

        public void Write(ulong offset, int size, ulong value) => Log.Add($"w{size}@{offset:X}={value:X}");
    }

    [Fact]
    public void PageCrossingWriteFaultsOnTheSecondPageAndWritesNothing()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x20_0000, P | RW | US);
        pt.Map(root, 0x40_1000, 0x20_1000, P | US); // read-only
        pt.Memory.UserMode = true;
        var f = Assert.Throws<PageFaultException>(() => pt.Memory.Write64(0x40_0FFC, ulong.MaxValue));
        Assert.Equal(0x40_1000UL, f.LinearAddress);
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.Write | PageFaultErrorCode.User, f.ErrorCode);
        Assert.Equal(0UL, pt.Read(0x20_0FF8));

        // Second page not present at all.
        var g = Assert.Throws<PageFaultException>(() => pt.Memory.Read32(0x40_1FFE));
        Assert.Equal(0x40_2000UL, g.LinearAddress);
        Assert.Equal(PageFaultErrorCode.User, g.ErrorCode);

        // When both pages fault, the first one is reported.
        var h = Assert.Throws<PageFaultException>(() => pt.Memory.Read16(0x3F_FFFF));
        Assert.Equal(0x3F_FFFFUL, h.LinearAddress);
    }

    [Fact]
    public void PageCrossingAccessJoinsTwoFrames()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x20_5000, P | RW);
        pt.Map(root, 0x40_1000, 0x20_2000, P | RW);
        pt.Memory.Write64(0x40_0FFD, 0x8877_6655_4433_2211);
        Assert.Equal(0x33_2211UL, pt.Read(0x20_5FFD, 4) & 0xFF_FFFF);
        Assert.Equal(0x88_7766_5544UL, pt.Read(0x20_2000, 8) & 0xFF_FFFF_FFFF);
        Assert.Equal(0x8877_6655_4433_2211UL, pt.Memory.Read64(0x40_0FFD));
        Assert.Equal(0x5544_3322U, pt.Memory.Read32(0x40_0FFE));
        pt.Memory.ProbeWrite(0x40_0FF0, 32);
    }

    [Fact]
    public void ProbeWriteChecksBothPagesWithoutWriting()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x20_0000, P | RW);
        var f = Assert.Throws<PageFaultException>(() => pt.Memory.ProbeWrite(0x40_0FF8, 16));
        Assert.Equal(0x40_1000UL, f.LinearAddress);
        Assert.Equal(PageFaultErrorCode.Write, f.ErrorCode);
    }

    [Fact]
    public void MmioPagesNeverTakeTheFastPath()
    {
        using var pt = new PageTables();
        var dev = new Recorder();
        pt.Bus.RegisterMmio(0xFEE0_0000, 0x1000, dev);
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0xFFFF_FFFF_FEE0_0000, 0xFEE0_0000, P | RW | PCD);
        for (int i = 0; i < 3; i++)
        {
            pt.Memory.Write32(0xFFFF_FFFF_FEE0_00B0, 0);
            Assert.Equal(0x9ABC_DEF0U, pt.Memory.Read32(0xFFFF_FFFF_FEE0_0020));
        }

        Assert.Equal(6, dev.Log.Count);
        Assert.Equal("w4@B0=0", dev.Log[0]);
        Assert.Equal("r4@20", dev.Log[1]);
        Assert.Equal(1, pt.Memory.Counters.PageWalks); // the first access, a write, set D; then every access is a slow-path hit
        Assert.Equal(5, pt.Memory.Counters.TlbHits);
    }

    [Fact]
    public void UnmappedPhysicalMemoryReadsOnesAndIsCounted()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x9000_0000, P | RW);
        Assert.Equal(ulong.MaxValue, pt.Memory.Read64(0x40_0000));
        pt.Memory.Write8(0x40_0000, 1);
        Assert.Equal(1, pt.Memory.Counters.UnmappedPhysicalReads);
        Assert.Equal(1, pt.Memory.Counters.UnmappedPhysicalWrites);
    }

    [Fact]
    public void UserAccessNeverHitsASupervisorTranslation()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x20_0000, P | RW);
        pt.Memory.Write8(0x40_0000, 1);
        Assert.Equal(1, pt.Memory.Read8(0x40_0000));
        pt.Memory.UserMode = true;
        Assert.Throws<PageFaultException>(() => pt.Memory.Read8(0x40_0000));
        Assert.Throws<PageFaultException>(() => pt.Memory.Write8(0x40_0000, 2));
        Assert.Throws<PageFaultException>(() => pt.Memory.Fetch8(0x40_0000));
        pt.Memory.UserMode = false;
        Assert.Equal(1, pt.Memory.Read8(0x40_0000));
    }

    [Fact]
    public void FetchBytesStopsAtAPageThatCannotBeFetched()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x20_0000, P | RW);
        pt.Map(root, 0x40_1000, 0x20_1000, P | RW | XD);
        pt.Ram.Span(0x20_0FF8, 8).Fill(0x90);
        Span<byte> buffer = stackalloc byte[15];
        Assert.Equal(8, pt.Memory.FetchBytes(0x40_0FF8, buffer));
        Assert.Equal(0x90, buffer[7]);
        var f = Assert.Throws<PageFaultException>(() => pt.Memory.FetchBytes(0x40_1000, new byte[4]));
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.InstructionFetch, f.ErrorCode);
        Assert.Equal(15, pt.Memory.FetchBytes(0x40_0100, buffer));
    }

    [Fact]
    public void CountersSeparateHitsAndMissesByKind()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x20_0000, P | RW | D);
        MmuCounters c = pt.Memory.Counters;
        c.Reset();
        pt.Memory.Read32(0x40_0000);
        pt.Memory.Read32(0x40_0004);
        pt.Memory.Write32(0x40_0008, 1);
        pt.Memory.Fetch8(0x40_0000);
        pt.Memory.Fetch8(0x40_0001);
        Assert.Equal((1L, 1L), (c.ReadMisses, c.ReadHits));
        Assert.Equal((0L, 1L), (c.WriteMisses, c.WriteHits)); // D was already set: the read's walk filled the write tag
        Assert.Equal((0L, 2L), (c.FetchMisses, c.FetchHits));
        Assert.Equal(1, c.PageWalks);
    }

    [Fact]
    public void PagingOffIsIdentityAndEnablingPagingFlushes()
    {
        using var pt = new PageTables();
        pt.Memory.SetPagingControls(PageTables.Cr0Pe, 0, 0);
        pt.Memory.Write32(0x40_0000, 0xFEED);
        Assert.Equal(0xFEEDUL, pt.Read(0x40_0000, 4));
        pt.EnableFourLevel();
        Assert.Throws<PageFaultException>(() => pt.Memory.Read32(0x40_0000));
    }

    [Fact]
    public void SystemAccessesOfOddSizesTouchOnlyTheirBytes()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x20_0000, P | RW);
        pt.Write(0x20_0100, ulong.MaxValue);
        pt.Memory.WriteSystem(0x40_0100, 3, 0x11_2233);
        Assert.Equal(0xFFFF_FFFF_FF11_2233UL, pt.Read(0x20_0100));
        Assert.Equal(0xFF_FF11_2233UL, pt.Memory.ReadSystem(0x40_0100, 5));
        Assert.Equal(0xFF_FF11UL, pt.Memory.ReadSystem(0x40_0102, 3));
    }
}
