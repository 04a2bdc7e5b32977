using Devices.Virtio;

namespace Devices.Tests.Virtio;

/// <summary>
/// DISCARD and WRITE_ZEROES (virtio 1.1 5.2.6, VIRTIO_BLK_F_DISCARD and F_WRITE_ZEROES) through the virtqueue: the
/// configuration limits as QEMU presents them, ranges that read back as zeros on the host, and the statuses for
/// flags, segment counts, ranges and read-only images the device must refuse.
/// </summary>
public sealed class VirtioBlockDiscardTests : VirtioBlockTestBase
{
    private const ulong Range = Data + 0x1000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DiscardAndWriteZeroesLeaveZerosAndTouchNothingElse(bool ioWorker)
    {
        byte[] before = File.ReadAllBytes(ImagePath); // before Create: the device locks the image
        Create(ioWorker: ioWorker);
        ulong offered = InitModern(VirtioBlock.FeatureVersion1 | VirtioBlock.FeatureDiscard | VirtioBlock.FeatureWriteZeroes);
        Assert.Equal(VirtioBlock.FeatureDiscard | VirtioBlock.FeatureWriteZeroes, offered & (VirtioBlock.FeatureDiscard | VirtioBlock.FeatureWriteZeroes));
        Assert.Equal(VirtioBlock.StatusFeaturesOk, (byte)Common(20, 1) & VirtioBlock.StatusFeaturesOk);
        const int config = VirtioBlock.DeviceConfigOffset;
        Assert.Equal((ulong)(int.MaxValue / 512), Common(config + 36, 4)); // max_discard_sectors
        Assert.Equal(1UL, Common(config + 40, 4)); // max_discard_seg
        Assert.Equal(1UL, Common(config + 44, 4)); // discard_sector_alignment
        Assert.Equal((ulong)(int.MaxValue / 512), Common(config + 48, 4)); // max_write_zeroes_sectors
        Assert.Equal(1UL, Common(config + 52, 4)); // max_write_zeroes_seg
        Assert.Equal(1UL, Common(config + 56, 1)); // write_zeroes_may_unmap

        Assert.Equal(BlockRequestType.StatusOk, ZeroRequest(BlockRequestType.Discard, 8, 8, 0));
        Assert.Equal(BlockRequestType.StatusOk, ZeroRequest(BlockRequestType.WriteZeroes, 20, 3, BlockRequestType.FlagUnmap));
        Assert.Equal(BlockRequestType.StatusOk, ZeroRequest(BlockRequestType.WriteZeroes, 40, 1, 0));
        byte[] after = FileBytes(0, Sectors);
        for (int sector = 0; sector < Sectors; sector++)
        {
            bool zeroed = sector is (>= 8 and < 16) or (>= 20 and < 23) or 40;
            byte[] expected = zeroed ? new byte[512] : before.AsSpan(sector * 512, 512).ToArray();
            Assert.Equal(expected, after.AsSpan(sector * 512, 512).ToArray());
        }

        Assert.Equal(1, Disk.Counters.Discards);
        Assert.Equal(2, Disk.Counters.WriteZeroes);
        Assert.Equal(3, Disk.Counters.Requests);
        Assert.Equal(0, Disk.Counters.BytesWritten);
    }

    [Fact]
    public void BadFlagsSegmentsAndRangesGetTheirStatusAndChangeNothing()
    {
        byte[] before = File.ReadAllBytes(ImagePath);
        Create();
        InitModern(VirtioBlock.FeatureVersion1 | VirtioBlock.FeatureDiscard | VirtioBlock.FeatureWriteZeroes);
        Assert.Equal(BlockRequestType.StatusUnsupported, ZeroRequest(BlockRequestType.Discard, 0, 1, BlockRequestType.FlagUnmap));
        Assert.Equal(BlockRequestType.StatusUnsupported, ZeroRequest(BlockRequestType.WriteZeroes, 0, 1, 2));
        Assert.Equal(BlockRequestType.StatusUnsupported, ZeroRequest(BlockRequestType.Discard, 0, 1, 0, ranges: 2));
        Assert.Equal(BlockRequestType.StatusIoError, ZeroRequest(BlockRequestType.Discard, Sectors - 2, 4, 0));
        Assert.Equal(BlockRequestType.StatusIoError, ZeroRequest(BlockRequestType.WriteZeroes, 0, uint.MaxValue, 0));
        Assert.Equal(before, FileBytes(0, Sectors));
    }

    [Fact]
    public void AReadOnlyImageRefusesDiscardAndWriteZeroes()
    {
        Create(readOnly: true);
        InitModern(VirtioBlock.FeatureVersion1 | VirtioBlock.FeatureDiscard | VirtioBlock.FeatureWriteZeroes);
        byte[] before = File.ReadAllBytes(ImagePath);
        Assert.Equal(BlockRequestType.StatusIoError, ZeroRequest(BlockRequestType.Discard, 0, 4, 0));
        Assert.Equal(BlockRequestType.StatusIoError, ZeroRequest(BlockRequestType.WriteZeroes, 0, 4, BlockRequestType.FlagUnmap));
        Assert.Equal(before, FileBytes(0, Sectors));
    }

    /// <summary>A request of <paramref name="type"/> with <paramref name="ranges"/> copies of one range (header, ranges, status); returns its status.</summary>
    private byte ZeroRequest(uint type, ulong sector, uint count, uint flags, int ranges = 1)
    {
        RequestHeader(type, 0);
        for (int i = 0; i < ranges; i++)
        {
            ulong at = Range + (16UL * (ulong)i);
            Write64(at, sector);
            Bus.Write(at + 8, 4, count);
            Bus.Write(at + 12, 4, flags);
        }

        Desc16(Desc, 0, Header, 16, 1, 1);
        Desc16(Desc, 1, Range, (uint)(16 * ranges), 1, 2);
        Desc16(Desc, 2, StatusByte, 1, 2, 0);
        Offer(0);
        NotifyModern();
        Advance(VirtioBlock.CompletionLatencyNs);
        return (byte)Bus.Read(StatusByte, 1);
    }
}
