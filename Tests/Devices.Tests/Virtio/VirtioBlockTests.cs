using System.Buffers.Binary;
using Devices.Interrupts;
using Devices.Pci;
using Devices.Storage;
using Devices.Timing;
using Devices.Virtio;
using Mmu.Io;
using Mmu.Physical;

namespace Devices.Tests.Virtio;

/// <summary>
/// virtio-blk driven as a guest driver would (virtio 1.1 sections 3.1, 2.6, 5.2): through PCI configuration space,
/// the modern BAR4 structures found by walking the capability list, and the legacy I/O BAR.
/// </summary>
public sealed class VirtioBlockTests : IDisposable
{
    private const ulong Desc = 0x10000;
    private const ulong Avail = 0x11000;
    private const ulong Used = 0x12000;
    private const ulong Data = 0x20000;
    private const ulong Header = 0x30000;
    private const ulong StatusByte = 0x31000;
    private const ulong Indirect = 0x32000;
    private const int Sectors = 64;

    private readonly string path = Path.GetTempFileName();
    private readonly PhysicalMemory ram = new(16 << 20);
    private readonly PhysicalBus bus;
    private readonly VirtualClock clock;
    private readonly PciBus pci = new();
    private readonly PortSpace ports = new();
    private readonly List<bool> levels = [];
    private long now;
    private VirtioBlock? disk;
    private DiskImage? image;
    private ushort availIndex;

    public VirtioBlockTests()
    {
        bus = new PhysicalBus(ram);
        clock = new VirtualClock(ClockMode.Deterministic, () => now);
        byte[] content = new byte[Sectors * 512];
        for (int i = 0; i < content.Length; i++)
        {
            content[i] = (byte)((i / 512) + (i % 7));
        }

        File.WriteAllBytes(path, content);
        new PciMemoryWindow(pci).Register(bus);
        new PciIoWindow(pci).Register(ports);
        pci.Register(ports);
    }

    private VirtioBlock Disk => disk!;

    public void Dispose()
    {
        image?.Dispose();
        ram.Dispose();
        File.Delete(path);
    }

    private VirtioBlock Create(bool readOnly = false)
    {
        image = DiskImage.Open(path, readOnly);
        disk = new VirtioBlock(bus, clock, new DelegateInterruptLine(levels.Add), 11, image, 0xC000, 0xFE00_0000, "test-disk");
        disk.SetCommand(0x7);
        pci.Attach(3, 0, disk);
        return disk;
    }

    private ulong Common(int offset, int size) => bus.Read(0xFE00_0000UL + (ulong)offset, size);

    private void SetCommon(int offset, int size, ulong value) => bus.Write(0xFE00_0000UL + (ulong)offset, size, value);

    private void Write64(ulong at, ulong v) => bus.Write(at, 8, v);

    private void Desc16(ulong table, int index, ulong address, uint length, ushort flags, ushort next)
    {
        Span<byte> d = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(d, address);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], length);
        BinaryPrimitives.WriteUInt16LittleEndian(d[12..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(d[14..], next);
        bus.WriteDma(table + (16UL * (ulong)index), d);
    }

    private void RequestHeader(uint type, ulong sector)
    {
        bus.Write(Header, 4, type);
        bus.Write(Header + 4, 4, 0);
        Write64(Header + 8, sector);
        bus.Write(StatusByte, 1, 0xFF);
    }

    /// <summary>The modern initialisation sequence (3.1.1) with a 16-entry queue; returns the features offered.</summary>
    private ulong InitModern(ulong accept)
    {
        SetCommon(20, 1, 0);
        SetCommon(20, 1, VirtioBlock.StatusAcknowledge | VirtioBlock.StatusDriver);
        SetCommon(0, 4, 0);
        ulong offered = Common(4, 4);
        SetCommon(0, 4, 1);
        offered |= Common(4, 4) << 32;
        SetCommon(8, 4, 0);
        SetCommon(12, 4, (uint)accept);
        SetCommon(8, 4, 1);
        SetCommon(12, 4, (uint)(accept >> 32));
        SetCommon(20, 1, VirtioBlock.StatusAcknowledge | VirtioBlock.StatusDriver | VirtioBlock.StatusFeaturesOk);
        SetCommon(22, 2, 0);
        SetCommon(24, 2, 16);
        SetCommon(32, 4, (uint)Desc);
        SetCommon(36, 4, 0);
        SetCommon(40, 8, Avail);
        SetCommon(48, 8, Used);
        SetCommon(28, 2, 1);
        SetCommon(20, 1, VirtioBlock.StatusAcknowledge | VirtioBlock.StatusDriver | VirtioBlock.StatusFeaturesOk | VirtioBlock.StatusDriverOk);
        return offered;
    }

    private void Offer(ushort head, int queueSize = 16)
    {
        bus.Write(Avail + 4 + (2UL * (ulong)(availIndex % queueSize)), 2, head);
        availIndex++;
        bus.Write(Avail + 2, 2, availIndex);
    }

    private void NotifyModern() => bus.Write(0xFE00_0000UL + VirtioBlock.NotifyOffset, 2, 0);

    private void Advance(long ns)
    {
        now += ns;
        clock.RunDue();
    }

    private byte[] FileBytes(int sector, int count)
    {
        image!.Dispose();
        byte[] all = File.ReadAllBytes(path);
        image = null;
        return all.AsSpan(sector * 512, count * 512).ToArray();
    }

    private void ChainHeaderDataStatus(uint type, ulong sector, int bytes, bool deviceWritesData)
    {
        RequestHeader(type, sector);
        Desc16(Desc, 0, Header, 16, 1, 1);
        Desc16(Desc, 1, Data, (uint)bytes, (ushort)(1 | (deviceWritesData ? 2 : 0)), 2);
        Desc16(Desc, 2, StatusByte, 1, 2, 0);
    }

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
        for (uint at = d.ReadConfig(0x34, 1); at != 0; at = d.ReadConfig((int)at + 1, 1))
        {
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

    [Fact]
    public void WritesAndReadsSectorsWithTheInterruptOnTheVirtualClock()
    {
        Create();
        ulong offered = InitModern(VirtioBlock.FeatureVersion1 | VirtioBlock.FeatureFlush);
        Assert.NotEqual(0UL, offered & VirtioBlock.FeatureIndirect);
        Assert.Equal(0UL, offered & VirtioBlock.FeatureReadOnly);
        Assert.Equal((ulong)Sectors, Common(VirtioBlock.DeviceConfigOffset, 8));
        Assert.Equal(512UL, Common(VirtioBlock.DeviceConfigOffset + 20, 4));

        byte[] pattern = new byte[1024];
        new Random(7).NextBytes(pattern);
        bus.WriteDma(Data, pattern);
        ChainHeaderDataStatus(BlockRequestType.Out, 5, 1024, deviceWritesData: false);
        Offer(0);
        NotifyModern();
        Assert.Equal(0UL, bus.Read(Used + 2, 2)); // served, not yet completed
        Assert.Empty(levels);
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal(1UL, bus.Read(Used + 2, 2));
        Assert.Equal(0UL, bus.Read(Used + 4, 4)); // head
        Assert.Equal(1UL, bus.Read(Used + 8, 4)); // written: the status byte
        Assert.Equal(0UL, bus.Read(StatusByte, 1));
        Assert.Equal([true], levels);
        Assert.Equal(1UL, Common(VirtioBlock.IsrOffset, 1));
        Assert.Equal([true, false], levels);
        Assert.Equal(0UL, Common(VirtioBlock.IsrOffset, 1));

        bus.WriteDma(Data, new byte[1024]);
        ChainHeaderDataStatus(BlockRequestType.In, 5, 1024, deviceWritesData: true);
        Offer(0);
        NotifyModern();
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal(1025UL, bus.Read(Used + 16, 4));
        byte[] back = new byte[1024];
        bus.ReadDma(Data, back);
        Assert.Equal(pattern, back);

        RequestHeader(BlockRequestType.Flush, 0);
        Desc16(Desc, 0, Header, 16, 1, 1);
        Desc16(Desc, 1, StatusByte, 1, 2, 0);
        Offer(0);
        NotifyModern();
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal(0UL, bus.Read(StatusByte, 1));
        Assert.Equal(3, Disk.Counters.Requests);
        Assert.Equal(1, Disk.Counters.Flushes);
        Assert.Equal(1024, Disk.Counters.BytesRead);
        Assert.Equal(1024, Disk.Counters.BytesWritten);
        Assert.Equal(pattern, FileBytes(5, 2));
    }

    [Fact]
    public void ReadsThroughAnIndirectTable()
    {
        Create();
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
        Assert.Equal(0UL, bus.Read(StatusByte, 1));
        byte[] back = new byte[1024];
        bus.ReadDma(Data, back);
        Assert.Equal(FileBytes(3, 2), back);
    }

    [Fact]
    public void EventIndexHoldsTheInterruptUntilTheDriversMark()
    {
        Create();
        InitModern(VirtioBlock.FeatureVersion1 | VirtioBlock.FeatureEventIndex);
        bus.Write(Avail + 4 + (2 * 16), 2, 1); // used_event = 1: interrupt once the second entry is used
        for (int i = 0; i < 2; i++)
        {
            ChainHeaderDataStatus(BlockRequestType.In, (ulong)i, 512, deviceWritesData: true);
            Offer(0);
            NotifyModern();
            Advance(VirtioBlock.CompletionLatencyNs);
            Assert.Equal(i == 0 ? 0 : 1, levels.Count(l => l));
            Assert.Equal((ulong)(i + 1), bus.Read(Used + 4 + (8 * 16), 2)); // avail_event follows what the device took
        }
    }

    [Fact]
    public void AReadOnlyImageRefusesWritesAndIsNotChanged()
    {
        Create(readOnly: true);
        ulong offered = InitModern(VirtioBlock.FeatureVersion1);
        Assert.NotEqual(0UL, offered & VirtioBlock.FeatureReadOnly);
        byte[] before = File.ReadAllBytes(path);
        bus.WriteDma(Data, new byte[512]);
        ChainHeaderDataStatus(BlockRequestType.Out, 0, 512, deviceWritesData: false);
        Offer(0);
        NotifyModern();
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal((ulong)BlockRequestType.StatusIoError, bus.Read(StatusByte, 1));
        Assert.Equal(before, File.ReadAllBytes(path));
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
        Assert.Equal((ulong)BlockRequestType.StatusIoError, bus.Read(StatusByte, 1));
        ChainHeaderDataStatus(77, 0, 512, deviceWritesData: true);
        Offer(0);
        NotifyModern();
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal((ulong)BlockRequestType.StatusUnsupported, bus.Read(StatusByte, 1));

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
        SetCommon(12, 4, 1u << 13); // DISCARD: not offered
        SetCommon(20, 1, VirtioBlock.StatusAcknowledge | VirtioBlock.StatusDriver | VirtioBlock.StatusFeaturesOk);
        Assert.Equal(0UL, Common(20, 1) & VirtioBlock.StatusFeaturesOk);
    }

    [Fact]
    public void TheLegacyInterfaceServesARead()
    {
        Create();
        const ushort io = 0xC000;
        ports.Out(io + 18, 1, 0);
        ports.Out(io + 18, 1, VirtioBlock.StatusAcknowledge | VirtioBlock.StatusDriver);
        Assert.Equal(0u, ports.In(io, 4) & (1u << 5));
        ports.Out(io + 4, 4, 0);
        ports.Out(io + 14, 2, 0);
        Assert.Equal(VirtioBlock.QueueSize, (ushort)ports.In(io + 12, 2));
        const ulong ring = 0x100000; // desc, then avail, then used on the next page
        ports.Out(io + 8, 4, (uint)(ring >> 12));
        ports.Out(io + 18, 1, VirtioBlock.StatusAcknowledge | VirtioBlock.StatusDriver | VirtioBlock.StatusDriverOk);
        Assert.Equal((uint)Sectors, ports.In(io + VirtioBlock.LegacyConfigOffset, 4));
        RequestHeader(BlockRequestType.In, 9);
        Desc16(ring, 0, Header, 16, 1, 1);
        Desc16(ring, 1, Data, 512, 1 | 2, 2);
        Desc16(ring, 2, StatusByte, 1, 2, 0);
        ulong avail = ring + (16 * VirtioBlock.QueueSize);
        ulong used = (avail + 6 + (2 * VirtioBlock.QueueSize) + 4095) & ~4095UL;
        bus.Write(avail + 4, 2, 0);
        bus.Write(avail + 2, 2, 1);
        ports.Out(io + 16, 2, 0);
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal(1UL, bus.Read(used + 2, 2));
        Assert.Equal(1u, ports.In(io + 19, 1)); // ISR, cleared by the read
        Assert.Equal(0u, ports.In(io + 19, 1));
        byte[] back = new byte[512];
        bus.ReadDma(Data, back);
        Assert.Equal(FileBytes(9, 1), back);
    }

    [Fact]
    public void TheImageIsLockedAgainstASecondUser()
    {
        Create();
        DiskImageException e = Assert.Throws<DiskImageException>(() => DiskImage.Open(path, readOnly: false));
        Assert.Contains("locked", e.Message, StringComparison.Ordinal);
    }
}
