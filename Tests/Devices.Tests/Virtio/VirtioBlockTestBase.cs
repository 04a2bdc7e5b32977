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
/// A virtio-blk disk on a bus with 16 MiB of RAM and a 64-sector image, and the steps of a guest driver (virtio
/// 1.1 sections 3.1, 2.6, 5.2): PCI configuration space, the modern BAR4 structures, the legacy I/O BAR.
/// </summary>
public abstract class VirtioBlockTestBase : IDisposable
{
    protected const ulong Desc = 0x10000;
    protected const ulong Avail = 0x11000;
    protected const ulong Used = 0x12000;
    protected const ulong Data = 0x20000;
    protected const ulong Header = 0x30000;
    protected const ulong StatusByte = 0x31000;
    protected const ulong Indirect = 0x32000;
    protected const int Sectors = 64;

    private readonly PhysicalMemory ram = new(16 << 20);
    private readonly PciBus pci = new();
    private long now;
    private VirtioBlock? disk;
    private ushort availIndex;

    protected VirtioBlockTestBase()
    {
        Bus = new PhysicalBus(ram);
        Clock = new VirtualClock(ClockMode.Deterministic, () => now);
        byte[] content = new byte[Sectors * 512];
        for (int i = 0; i < content.Length; i++)
        {
            content[i] = (byte)((i / 512) + (i % 7));
        }

        File.WriteAllBytes(ImagePath, content);
        new PciMemoryWindow(pci).Register(Bus);
        new PciIoWindow(pci).Register(Ports);
        pci.Register(Ports);
    }

    /// <summary>Where the tests place BAR1, the MSI-X table.</summary>
    protected const ulong MsixBar = 0xFEB0_0000;

    protected string ImagePath { get; } = Path.GetTempFileName();

    protected PhysicalBus Bus { get; }

    protected VirtualClock Clock { get; }

    protected PortSpace Ports { get; } = new();

    /// <summary>INTA#'s level changes, in order.</summary>
    protected List<bool> Levels { get; } = [];

    /// <summary>The MSI-X messages the device sent (address, data).</summary>
    protected List<(ulong Address, uint Data)> Messages { get; } = [];

    protected VirtioBlock Disk => disk!;

    protected DiskImage? Image { get; private set; }

    public void Dispose()
    {
        disk?.Dispose();
        Image?.Dispose();
        ram.Dispose();
        File.Delete(ImagePath);
        GC.SuppressFinalize(this);
    }

    protected VirtioBlock Create(bool readOnly = false, bool ioWorker = false)
    {
        Image = DiskImage.Open(ImagePath, readOnly);
        disk = new VirtioBlock(Bus, Clock, new DelegateInterruptLine(Levels.Add), 11, new RecordedMessages(Messages), Image, new VirtioBlockBars(0xC000, (uint)MsixBar, 0xFE00_0000), "test-disk", ioWorker);
        disk.SetCommand(0x7);
        pci.Attach(3, 0, disk);
        return disk;
    }

    protected ulong Common(int offset, int size) => Bus.Read(0xFE00_0000UL + (ulong)offset, size);

    protected void SetCommon(int offset, int size, ulong value) => Bus.Write(0xFE00_0000UL + (ulong)offset, size, value);

    protected void Write64(ulong at, ulong v) => Bus.Write(at, 8, v);

    protected void Desc16(ulong table, int index, ulong address, uint length, ushort flags, ushort next)
    {
        Span<byte> d = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(d, address);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], length);
        BinaryPrimitives.WriteUInt16LittleEndian(d[12..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(d[14..], next);
        Bus.WriteDma(table + (16UL * (ulong)index), d);
    }

    protected void RequestHeader(uint type, ulong sector)
    {
        Bus.Write(Header, 4, type);
        Bus.Write(Header + 4, 4, 0);
        Write64(Header + 8, sector);
        Bus.Write(StatusByte, 1, 0xFF);
    }

    /// <summary>The modern initialisation sequence (3.1.1) with a 16-entry queue; returns the features offered.</summary>
    protected ulong InitModern(ulong accept)
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

    protected void Offer(ushort head, int queueSize = 16)
    {
        Bus.Write(Avail + 4 + (2UL * (ulong)(availIndex % queueSize)), 2, head);
        availIndex++;
        Bus.Write(Avail + 2, 2, availIndex);
    }

    protected void NotifyModern() => Bus.Write(0xFE00_0000UL + VirtioBlock.NotifyOffset, 2, 0);

    protected void Advance(long ns)
    {
        now += ns;
        Clock.RunDue();
    }

    protected byte[] FileBytes(int sector, int count)
    {
        Image!.Dispose();
        byte[] all = File.ReadAllBytes(ImagePath);
        Image = null;
        return all.AsSpan(sector * 512, count * 512).ToArray();
    }

    protected void ChainHeaderDataStatus(uint type, ulong sector, int bytes, bool deviceWritesData)
    {
        RequestHeader(type, sector);
        Desc16(Desc, 0, Header, 16, 1, 1);
        Desc16(Desc, 1, Data, (uint)bytes, (ushort)(1 | (deviceWritesData ? 2 : 0)), 2);
        Desc16(Desc, 2, StatusByte, 1, 2, 0);
    }
}
