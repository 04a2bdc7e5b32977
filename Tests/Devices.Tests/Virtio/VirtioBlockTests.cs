using Devices.Storage;
using Devices.Virtio;

namespace Devices.Tests.Virtio;

/// <summary>
/// virtio-blk driven as a guest driver would (virtio 1.1 sections 3.1, 2.6, 5.2): through PCI configuration space,
/// the modern BAR4 structures found by walking the capability list, and the legacy I/O BAR.
/// </summary>
public sealed class VirtioBlockTests : VirtioBlockTestBase
{
    [Fact]
    public void PresentsAsQemusTransitionalVirtioBlkWithTheModernCapabilities()
    {
        VirtioBlock d = Create();
        Assert.Equal(0x1AF4, d.VendorId);
        Assert.Equal(0x1001, d.DeviceId);
        Assert.Equal(0x0002_1AF4u, d.ReadConfig(0x2C, 4)); // subsystem: block device
        Assert.Equal(0x0100u, d.ReadConfig(0x0A, 2));
        Assert.Equal(1u, d.ReadConfig(0x3D, 1)); // INTA#
        Assert.Equal(11u, d.ReadConfig(0x3C, 1));
        Assert.NotEqual(0u, d.ReadConfig(0x06, 2) & 0x10);
        var found = new Dictionary<uint, (uint Bar, uint Offset, uint Length)>();
        uint msixAt = 0;
        for (uint at = d.ReadConfig(0x34, 1); at != 0; at = d.ReadConfig((int)at + 1, 1))
        {
            if (d.ReadConfig((int)at, 1) == 0x11)
            {
                msixAt = at;
                continue;
            }

            Assert.Equal(9u, d.ReadConfig((int)at, 1));
            found[d.ReadConfig((int)at + 3, 1)] = (d.ReadConfig((int)at + 4, 1), d.ReadConfig((int)at + 8, 4), d.ReadConfig((int)at + 12, 4));
            if (d.ReadConfig((int)at + 3, 1) == 2)
            {
                Assert.Equal(VirtioBlock.NotifyMultiplier, d.ReadConfig((int)at + 16, 4));
            }
        }

        Assert.Equal([1u, 2u, 3u, 4u], found.Keys.Order());
        Assert.All(found.Values, v => Assert.Equal(4u, v.Bar));
        Assert.Equal((uint)VirtioBlock.IsrOffset, found[3].Offset);

        // MSI-X at 0x98 as on QEMU: 2 vectors, table at BAR1 + 0, pending bits at BAR1 + 0x800, off at reset.
        Assert.Equal(0x98u, msixAt);
        Assert.Equal(1u, d.ReadConfig(0x9A, 2));
        Assert.Equal(1u, d.ReadConfig(0x9C, 4));
        Assert.Equal(0x801u, d.ReadConfig(0xA0, 4));
        Assert.False(d.MsixEnabled);
        d.WriteConfig(0x14, 4, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_F000u, d.ReadConfig(0x14, 4)); // BAR1: 4 KiB of 32-bit memory

        // BAR4 is 64-bit: sizing the low half shows 16 KiB, the high half reads back all-ones.
        d.WriteConfig(0x20, 4, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_C00Cu, d.ReadConfig(0x20, 4));
        d.WriteConfig(0x24, 4, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_FFFFu, d.ReadConfig(0x24, 4));
        d.WriteConfig(0x24, 4, 0);
        d.WriteConfig(0x20, 4, 0xFE00_0000);
        Assert.Equal(0xFE00_0000UL, d.BarAddress(4));
        Assert.Equal(1u, d.ReadConfig(0x10, 4) & 1); // BAR0: I/O
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WritesAndReadsSectorsWithTheInterruptOnTheVirtualClock(bool ioWorker)
    {
        Create(ioWorker: ioWorker);
        ulong offered = InitModern(VirtioBlock.FeatureVersion1 | VirtioBlock.FeatureFlush);
        Assert.NotEqual(0UL, offered & VirtioBlock.FeatureIndirect);
        Assert.Equal(0UL, offered & VirtioBlock.FeatureReadOnly);
        Assert.Equal((ulong)Sectors, Common(VirtioBlock.DeviceConfigOffset, 8));
        Assert.Equal(512UL, Common(VirtioBlock.DeviceConfigOffset + 20, 4));

        byte[] pattern = new byte[1024];
        new Random(7).NextBytes(pattern);
        Bus.WriteDma(Data, pattern);
        ChainHeaderDataStatus(BlockRequestType.Out, 5, 1024, deviceWritesData: false);
        Offer(0);
        NotifyModern();
        Assert.Equal(0UL, Bus.Read(Used + 2, 2)); // served, not yet completed
        Assert.Empty(Levels);
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal(1UL, Bus.Read(Used + 2, 2));
        Assert.Equal(0UL, Bus.Read(Used + 4, 4)); // head
        Assert.Equal(1UL, Bus.Read(Used + 8, 4)); // written: the status byte
        Assert.Equal(0UL, Bus.Read(StatusByte, 1));
        Assert.Equal([true], Levels);
        Assert.Equal(1UL, Common(VirtioBlock.IsrOffset, 1));
        Assert.Equal([true, false], Levels);
        Assert.Equal(0UL, Common(VirtioBlock.IsrOffset, 1));

        Bus.WriteDma(Data, new byte[1024]);
        ChainHeaderDataStatus(BlockRequestType.In, 5, 1024, deviceWritesData: true);
        Offer(0);
        NotifyModern();
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal(1025UL, Bus.Read(Used + 16, 4));
        byte[] back = new byte[1024];
        Bus.ReadDma(Data, back);
        Assert.Equal(pattern, back);

        RequestHeader(BlockRequestType.Flush, 0);
        Desc16(Desc, 0, Header, 16, 1, 1);
        Desc16(Desc, 1, StatusByte, 1, 2, 0);
        Offer(0);
        NotifyModern();
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal(0UL, Bus.Read(StatusByte, 1));
        Assert.Equal(3, Disk.Counters.Requests);
        Assert.Equal(1, Disk.Counters.Flushes);
        Assert.Equal(1024, Disk.Counters.BytesRead);
        Assert.Equal(1024, Disk.Counters.BytesWritten);
        Assert.Equal(pattern, FileBytes(5, 2));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsThroughAnIndirectTable(bool ioWorker)
    {
        Create(ioWorker: ioWorker);
        InitModern(VirtioBlock.FeatureVersion1 | VirtioBlock.FeatureIndirect);
        RequestHeader(BlockRequestType.In, 3);
        Desc16(Indirect, 0, Header, 16, 1, 1);
        Desc16(Indirect, 1, Data, 512, 1 | 2, 2);
        Desc16(Indirect, 2, Data + 512, 512, 1 | 2, 3);
        Desc16(Indirect, 3, StatusByte, 1, 2, 0);
        Desc16(Desc, 0, Indirect, 64, 4, 0);
        Offer(0);
        NotifyModern();
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal(0UL, Bus.Read(StatusByte, 1));
        byte[] back = new byte[1024];
        Bus.ReadDma(Data, back);
        Assert.Equal(FileBytes(3, 2), back);
    }

    [Fact]
    public void EventIndexHoldsTheInterruptUntilTheDriversMark()
    {
        Create();
        InitModern(VirtioBlock.FeatureVersion1 | VirtioBlock.FeatureEventIndex);
        Bus.Write(Avail + 4 + (2 * 16), 2, 1); // used_event = 1: interrupt once the second entry is used
        for (int i = 0; i < 2; i++)
        {
            ChainHeaderDataStatus(BlockRequestType.In, (ulong)i, 512, deviceWritesData: true);
            Offer(0);
            NotifyModern();
            Advance(VirtioBlock.CompletionLatencyNs);
            Assert.Equal(i == 0 ? 0 : 1, Levels.Count(l => l));
            Assert.Equal((ulong)(i + 1), Bus.Read(Used + 4 + (8 * 16), 2)); // avail_event follows what the device took
        }
    }

    [Fact]
    public void AReadOnlyImageRefusesWritesAndIsNotChanged()
    {
        Create(readOnly: true);
        ulong offered = InitModern(VirtioBlock.FeatureVersion1);
        Assert.NotEqual(0UL, offered & VirtioBlock.FeatureReadOnly);
        byte[] before = File.ReadAllBytes(ImagePath);
        Bus.WriteDma(Data, new byte[512]);
        ChainHeaderDataStatus(BlockRequestType.Out, 0, 512, deviceWritesData: false);
        Offer(0);
        NotifyModern();
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal((ulong)BlockRequestType.StatusIoError, Bus.Read(StatusByte, 1));
        Assert.Equal(before, File.ReadAllBytes(ImagePath));
    }

    [Fact]
    public void BadRequestsGetAStatusAndAMalformedRingNeedsAReset()
    {
        Create();
        InitModern(VirtioBlock.FeatureVersion1);
        ChainHeaderDataStatus(BlockRequestType.In, Sectors - 1, 1024, deviceWritesData: true); // past the end
        Offer(0);
        NotifyModern();
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal((ulong)BlockRequestType.StatusIoError, Bus.Read(StatusByte, 1));
        ChainHeaderDataStatus(77, 0, 512, deviceWritesData: true);
        Offer(0);
        NotifyModern();
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal((ulong)BlockRequestType.StatusUnsupported, Bus.Read(StatusByte, 1));

        Desc16(Desc, 0, Header, 16, 1, 0); // a loop: 0 -> 0
        Offer(0);
        NotifyModern();
        Assert.NotEqual(0, Disk.DeviceStatus & VirtioBlock.StatusNeedsReset);
        SetCommon(20, 1, 0);
        Assert.Equal(0, Disk.DeviceStatus);
    }

    [Fact]
    public void RefusesFeaturesItNeverOffered()
    {
        Create();
        SetCommon(20, 1, VirtioBlock.StatusAcknowledge | VirtioBlock.StatusDriver);
        SetCommon(8, 4, 0);
        SetCommon(12, 4, 1u << 12); // MQ: not offered
        SetCommon(20, 1, VirtioBlock.StatusAcknowledge | VirtioBlock.StatusDriver | VirtioBlock.StatusFeaturesOk);
        Assert.Equal(0UL, Common(20, 1) & VirtioBlock.StatusFeaturesOk);
    }

    [Fact]
    public void TheLegacyInterfaceServesARead()
    {
        Create();
        const ushort io = 0xC000;
        Ports.Out(io + 18, 1, 0);
        Ports.Out(io + 18, 1, VirtioBlock.StatusAcknowledge | VirtioBlock.StatusDriver);
        Assert.Equal(0u, Ports.In(io, 4) & (1u << 5));
        Ports.Out(io + 4, 4, 0);
        Ports.Out(io + 14, 2, 0);
        Assert.Equal(VirtioBlock.QueueSize, (ushort)Ports.In(io + 12, 2));
        const ulong ring = 0x100000; // desc, then avail, then used on the next page
        Ports.Out(io + 8, 4, (uint)(ring >> 12));
        Ports.Out(io + 18, 1, VirtioBlock.StatusAcknowledge | VirtioBlock.StatusDriver | VirtioBlock.StatusDriverOk);
        Assert.Equal((uint)Sectors, Ports.In(io + VirtioBlock.LegacyConfigOffset, 4));
        RequestHeader(BlockRequestType.In, 9);
        Desc16(ring, 0, Header, 16, 1, 1);
        Desc16(ring, 1, Data, 512, 1 | 2, 2);
        Desc16(ring, 2, StatusByte, 1, 2, 0);
        ulong avail = ring + (16 * VirtioBlock.QueueSize);
        ulong used = (avail + 6 + (2 * VirtioBlock.QueueSize) + 4095) & ~4095UL;
        Bus.Write(avail + 4, 2, 0);
        Bus.Write(avail + 2, 2, 1);
        Ports.Out(io + 16, 2, 0);
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal(1UL, Bus.Read(used + 2, 2));
        Assert.Equal(1u, Ports.In(io + 19, 1)); // ISR, cleared by the read
        Assert.Equal(0u, Ports.In(io + 19, 1));
        byte[] back = new byte[512];
        Bus.ReadDma(Data, back);
        Assert.Equal(FileBytes(9, 1), back);
    }

    [Fact]
    public void TheImageIsLockedAgainstASecondUser()
    {
        Create();
        DiskImageException e = Assert.Throws<DiskImageException>(() => DiskImage.Open(ImagePath, readOnly: false));
        Assert.Contains("locked", e.Message, StringComparison.Ordinal);
    }
}
