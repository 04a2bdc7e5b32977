using Mmu.Paging;

namespace Mmu.Tests.Paging;

public class FourLevelSmokeTests
{
    [Fact]
    public void ReadsAndWritesThroughA4KiBMapping()
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel();
        pt.Map(pml4, 0xFFFF_8000_0040_0000, 0x20_0000, PageTables.P | PageTables.RW);
        pt.Memory.Write64(0xFFFF_8000_0040_0010, 0x1122_3344_5566_7788);
        Assert.Equal(0x1122_3344_5566_7788UL, pt.Read(0x20_0010));
        Assert.Equal(0x5566_7788U, pt.Memory.Read32(0xFFFF_8000_0040_0010));
        Assert.Equal(0x20_0010UL, pt.Memory.Translate(0xFFFF_8000_0040_0010, AccessKind.Read, false));
        var ex = Assert.Throws<PageFaultException>(() => pt.Memory.Read8(0x1000));
        Assert.Equal(0x1000UL, ex.LinearAddress);
        Assert.Equal(0U, ex.ErrorCode);
    }
}
