using Mmu.Tests.Paging;
using static Mmu.Tests.Paging.PageTables;

namespace Mmu.Tests.Tlb;

/// <summary>Writes to bytes marked as code reach <see cref="LinearMemory.CodeWritten"/>; writes beside them do not.</summary>
public class CodePageTests
{
    [Fact]
    public void WriteToACodePageFiresTheEventAfterTheWrite()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x20_0000, P | RW);
        var seen = new List<(ulong Page, ulong Byte)>();
        pt.Memory.CodeWritten += (at, _) => seen.Add((at >> 12, pt.Read(0x20_0010, 1)));

        // Cache a writable translation first: marking must take the fast path away from it.
        pt.Memory.Write8(0x40_0010, 0x90);
        Assert.Empty(seen);
        pt.Memory.MarkCodePage(0x200);
        pt.Memory.Write8(0x40_0010, 0xCC);
        Assert.Equal([(0x200UL, 0xCCUL)], seen);
        Assert.Equal(1, pt.Memory.Counters.CodePageWrites);

        // Reads and other pages are unaffected; unmarking ends the notifications.
        Assert.Equal(0xCC, pt.Memory.Read8(0x40_0010));
        pt.Memory.UnmarkCodePage(0x200);
        pt.Memory.Write8(0x40_0010, 0xC3);
        Assert.Single(seen);
        Assert.Equal(0xC3UL, pt.Read(0x20_0010, 1));
    }

    [Fact]
    public void PageMarkedBeforeItIsMappedStillNotifies()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Memory.MarkCodePage(0x201);
        pt.Map(root, 0x40_0000, 0x20_1000, P | RW);
        pt.Map(root, 0x50_0000, 0x20_1000, P | RW); // an alias of the same frame
        int count = 0;
        pt.Memory.CodeWritten += (_, _) => count++;
        pt.Memory.Write32(0x40_0000, 1);
        pt.Memory.Write32(0x50_0004, 2);
        pt.Memory.WriteSystem(0x50_0008, 8, 3);
        Assert.Equal(3, count);
    }

    [Fact]
    public void PageCrossingWriteNotifiesTheCodePageItTouches()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x20_0000, P | RW);
        pt.Map(root, 0x40_1000, 0x20_5000, P | RW);
        pt.Memory.MarkCodePage(0x205);
        var writes = new List<(ulong At, int Length)>();
        pt.Memory.CodeWritten += (at, length) => writes.Add((at, length));
        pt.Memory.Write32(0x40_0FFE, 0xAABB_CCDD);
        Assert.Equal([(0x20_5000UL, 2)], writes); // the part of the write on the code page
        Assert.Equal(0xAABBUL, pt.Read(0x20_5000, 2));
    }

    [Fact]
    public void SelfModifyingCodeWithPagingOffIsSeen()
    {
        using var pt = new PageTables();
        pt.Memory.SetPagingControls(Cr0Pe, 0, 0);
        pt.Memory.Fetch8(0x7000);
        pt.Memory.MarkCodePage(7);
        ulong? page = null;
        pt.Memory.CodeWritten += (at, _) => page = at >> 12;
        pt.Memory.Write8(0x7001, 0xEB);
        Assert.Equal(7UL, page);
        Assert.Equal(0xEB, pt.Memory.Fetch8(0x7001));
    }

    [Fact]
    public void DeviceDmaIntoACodePageNotifies()
    {
        using var pt = new PageTables();
        pt.Memory.MarkCodePage(0x203);
        var writes = new List<(ulong At, int Length)>();
        pt.Memory.CodeWritten += (at, length) => writes.Add((at, length));
        pt.Bus.WriteDma(0x20_2FF0, new byte[0x20]);
        pt.Bus.WriteDma(0x20_5000, new byte[0x10]);
        Assert.Equal([(0x20_3000UL, 0x10)], writes);
        byte[] back = new byte[4];
        pt.Bus.WriteDma(0x20_3000, [1, 2, 3, 4]);
        pt.Bus.ReadDma(0x20_3000, back);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, back);
    }

    [Fact]
    public void UnmarkingInsideTheHandlerRestoresTheFastPath()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x20_0000, P | RW | D);
        pt.Memory.MarkCodePage(0x200);
        pt.Memory.CodeWritten += (at, _) => pt.Memory.UnmarkCodePage(at >> 12); // what the CPU's block cache does when no code is left
        pt.Memory.Write8(0x40_0000, 1);
        pt.Memory.Write8(0x40_0001, 2);
        Assert.Equal(1, pt.Memory.Counters.CodePageWrites);
        Assert.False(pt.Memory.IsCodePage(0x200));
        Assert.Equal(0x0201UL, pt.Read(0x20_0000, 2));
    }

    [Fact]
    public void OnlyWritesOverlappingCodeBytesNotify()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x20_0000, P | RW | D);
        pt.Memory.MarkCodeBytes(0x20_0100, 0x10); // code at 0x100-0x10F, data around it
        var writes = new List<(ulong At, int Length)>();
        pt.Memory.CodeWritten += (at, length) => writes.Add((at, length));

        pt.Memory.Write64(0x40_00F8, 1);  // ends just before the code
        pt.Memory.Write32(0x40_0110, 2);  // starts just after it
        pt.Memory.Write8(0x40_0800, 3);   // elsewhere on the page
        Assert.Empty(writes);
        Assert.Equal(3, pt.Memory.Counters.CodePageWrites);
        Assert.Equal(0, pt.Memory.Counters.CodeWrites);
        Assert.Equal(1UL, pt.Read(0x20_00F8, 8));

        pt.Memory.Write16(0x40_00FF, 0xAAAA); // its last byte is the code's first
        pt.Memory.Write64(0x40_010F, 0);      // its first byte is the code's last
        Assert.Equal([(0x20_00FFUL, 2), (0x20_010FUL, 8)], writes);
        Assert.Equal(2, pt.Memory.Counters.CodeWrites);
    }

    [Fact]
    public void ClearedCodeBytesStopNotifyingButKeepThePageMarked()
    {
        using var pt = new PageTables();
        ulong root = pt.EnableFourLevel();
        pt.Map(root, 0x40_0000, 0x20_0000, P | RW | D);
        pt.Memory.MarkCodeBytes(0x20_0100, 0x10);
        int count = 0;
        pt.Memory.CodeWritten += (_, _) => count++;
        pt.Memory.ClearCodeBytes(0x200);
        pt.Memory.Write8(0x40_0100, 1);
        Assert.Equal(0, count);
        Assert.True(pt.Memory.IsCodePage(0x200));
        pt.Memory.MarkCodeBytes(0x20_0200, 1);
        pt.Memory.Write8(0x40_0200, 1);
        Assert.Equal(1, count);
    }
}
