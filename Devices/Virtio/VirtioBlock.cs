using System.Buffers.Binary;
using Devices.Pci;
using Devices.Storage;
using Devices.Timing;
using Mmu.Interrupts;
using Mmu.Physical;

namespace Devices.Virtio;

/// <summary>
/// A virtio-blk disk on PCI, presented as QEMU's transitional virtio-blk-pci (1AF4:1001, subsystem 2): the
/// virtio 1.x interface through vendor capabilities into a 64-bit memory BAR4 (common configuration at 0,
/// ISR at 0x1000, device configuration at 0x2000, notifications at 0x3000), and the legacy 0.9.5 registers in
/// I/O BAR0 (virtio 1.1 sections 4.1.4 and 4.1.4.8). One split virtqueue; INTx only (no MSI-X capability).
/// Requests are served when the driver notifies; their completions are published, and the interrupt raised,
/// <see cref="CompletionLatencyNs"/> later on the virtual clock, so a deterministic run stays deterministic.
/// </summary>
public sealed class VirtioBlock : PciFunction, IPciBarDevice
{
    public const ushort VendorIdValue = 0x1AF4;
    public const ushort TransitionalDeviceId = 0x1001;
    public const ushort BlockSubsystemId = 2;
    public const ushort QueueSize = 256;
    public const uint ModernBarSize = 0x4000;
    public const uint LegacyBarSize = 0x80;
    public const int CommonOffset = 0x0000;
    public const int IsrOffset = 0x1000;
    public const int DeviceConfigOffset = 0x2000;
    public const int NotifyOffset = 0x3000;
    public const uint NotifyMultiplier = 4;
    public const int LegacyConfigOffset = 20;

    /// <summary>Virtual time from a notification to the completion interrupt.</summary>
    public const long CompletionLatencyNs = 10_000;

    public const ulong FeatureSegMax = 1UL << 2;
    public const ulong FeatureReadOnly = 1UL << 5;
    public const ulong FeatureBlockSize = 1UL << 6;
    public const ulong FeatureFlush = 1UL << 9;
    public const ulong FeatureAnyLayout = 1UL << 27;
    public const ulong FeatureIndirect = 1UL << 28;
    public const ulong FeatureEventIndex = 1UL << 29;
    public const ulong FeatureVersion1 = 1UL << 32;

    public const byte StatusAcknowledge = 1;
    public const byte StatusDriver = 2;
    public const byte StatusDriverOk = 4;
    public const byte StatusFeaturesOk = 8;
    public const byte StatusNeedsReset = 0x40;

    private const int ModernBar = 4;
    private const int LegacyBar = 0;
    private const int DeviceConfigSize = 0x3C;
    private const uint RegionSize = 0x1000;
    private const ushort NoVector = 0xFFFF;

    private readonly PhysicalBus bus;
    private readonly IInterruptLine line;
    private readonly DiskImage image;
    private readonly Virtqueue queue;
    private readonly BlockRequestProcessor processor;
    private readonly ClockTimer completionTimer;
    private readonly VirtualClock clock;
    private readonly List<(ushort Head, uint Written)> completions = [];
    private readonly ulong deviceFeatures;
    private ulong driverFeatures;
    private uint deviceFeatureSelect;
    private uint driverFeatureSelect;
    private ushort queueSelect;
    private byte status;
    private byte isr;
    private bool lineLevel;

    /// <summary>
    /// A disk serving <paramref name="image"/>, its INTA# wired to <paramref name="interruptLine"/> (ISA IRQ
    /// <paramref name="irq"/>, where firmware routed it), its BARs placed at <paramref name="ioBase"/> and
    /// <paramref name="memoryBase"/>; <paramref name="serial"/> is what VIRTIO_BLK_T_GET_ID returns.
    /// </summary>
    public VirtioBlock(PhysicalBus bus, VirtualClock clock, IInterruptLine interruptLine, byte irq, DiskImage image, uint ioBase, uint memoryBase, string serial)
        : base(VendorIdValue, TransitionalDeviceId, 0x01_00_00, revision: 0)
    {
        this.bus = bus;
        this.clock = clock;
        line = interruptLine;
        this.image = image;
        queue = new Virtqueue(bus, QueueSize);
        processor = new BlockRequestProcessor(bus, image, Counters, serial);
        completionTimer = clock.CreateTimer("virtio-blk", _ => Complete());
        deviceFeatures = FeatureSegMax | FeatureBlockSize | FeatureFlush | FeatureAnyLayout | FeatureIndirect | FeatureEventIndex | FeatureVersion1
            | (image.ReadOnly ? FeatureReadOnly : 0);
        SetSubsystem(VendorIdValue, BlockSubsystemId);
        SetInterrupt(pin: 1, line: irq);
        DefineBar(LegacyBar, LegacyBarSize, 1, ioBase);
        DefineBar(ModernBar, ModernBarSize, 0xC, memoryBase); // 64-bit prefetchable, as QEMU
        AddVendorCapability(0x40, cfgType: 1, CommonOffset, RegionSize); // each structure in its own page, as QEMU
        AddVendorCapability(0x50, cfgType: 3, IsrOffset, RegionSize);
        AddVendorCapability(0x60, cfgType: 4, DeviceConfigOffset, RegionSize);
        AddVendorCapability(0x70, cfgType: 2, NotifyOffset, RegionSize, NotifyMultiplier);
    }

    public VirtioBlockCounters Counters { get; } = new();

    /// <summary>The driver's status byte (virtio 1.1 section 2.1).</summary>
    public byte DeviceStatus => status;

    public DiskImage Image => image;

    public ulong ReadBar(int bar, ulong offset, int size)
    {
        Span<byte> region = stackalloc byte[64];
        region.Clear();
        if (bar == LegacyBar)
        {
            if (offset == 19)
            {
                return TakeIsr();
            }

            if (offset < LegacyConfigOffset)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(region, (uint)deviceFeatures);
                BinaryPrimitives.WriteUInt32LittleEndian(region[4..], (uint)driverFeatures);
                BinaryPrimitives.WriteUInt32LittleEndian(region[8..], (uint)(queue.DescriptorTable >> 12));
                BinaryPrimitives.WriteUInt16LittleEndian(region[12..], queue.MaxSize);
                BinaryPrimitives.WriteUInt16LittleEndian(region[14..], queueSelect);
                region[18] = status;
                return Slice(region, (int)offset, size);
            }

            DeviceConfig(region);
            return Slice(region, (int)offset - LegacyConfigOffset, size);
        }

        if (bar != ModernBar)
        {
            return PciBus.AllOnes(size);
        }

        switch ((int)offset & ~0xFFF)
        {
            case CommonOffset:
                CommonConfig(region);
                return Slice(region, (int)offset, size);
            case IsrOffset:
                return offset == IsrOffset ? TakeIsr() : 0UL;
            case DeviceConfigOffset:
                DeviceConfig(region);
                return Slice(region, (int)offset - DeviceConfigOffset, size);
            default:
                return 0;
        }
    }

    public void WriteBar(int bar, ulong offset, int size, ulong value)
    {
        if (bar == LegacyBar)
        {
            WriteLegacy((int)offset, (uint)value);
        }
        else if (bar == ModernBar)
        {
            switch ((int)offset & ~0xFFF)
            {
                case CommonOffset:
                    WriteCommon((int)offset, size, value);
                    break;
                case NotifyOffset:
                    Notify();
                    break;
            }
        }
    }

    protected override void InterruptDisableChanged() => UpdateLine();

    private void AddVendorCapability(byte at, byte cfgType, int offset, uint length, uint? multiplier = null)
    {
        Span<byte> body = stackalloc byte[18];
        body.Clear();
        body[0] = (byte)(multiplier is null ? 16 : 20); // cap_len
        body[1] = cfgType;
        body[2] = ModernBar;
        BinaryPrimitives.WriteUInt32LittleEndian(body[6..], (uint)offset);
        BinaryPrimitives.WriteUInt32LittleEndian(body[10..], length);
        BinaryPrimitives.WriteUInt32LittleEndian(body[14..], multiplier ?? 0);
        AddCapability(at, 0x09, body[..(multiplier is null ? 14 : 18)]);
    }

    private static ulong Slice(ReadOnlySpan<byte> region, int offset, int size)
    {
        ulong v = 0;
        for (int i = 0; i < size && offset + i < region.Length; i++)
        {
            if (offset + i >= 0)
            {
                v |= (ulong)region[offset + i] << (8 * i);
            }
        }

        return v;
    }

    /// <summary>The common configuration structure (virtio 1.1 4.1.4.3).</summary>
    private void CommonConfig(Span<byte> r)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(r, deviceFeatureSelect);
        BinaryPrimitives.WriteUInt32LittleEndian(r[4..], deviceFeatureSelect < 2 ? (uint)(deviceFeatures >> (32 * (int)deviceFeatureSelect)) : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(r[8..], driverFeatureSelect);
        BinaryPrimitives.WriteUInt32LittleEndian(r[12..], driverFeatureSelect < 2 ? (uint)(driverFeatures >> (32 * (int)driverFeatureSelect)) : 0);
        BinaryPrimitives.WriteUInt16LittleEndian(r[16..], NoVector);
        BinaryPrimitives.WriteUInt16LittleEndian(r[18..], 1);
        r[20] = status;
        r[21] = 0; // config_generation: the configuration never changes
        BinaryPrimitives.WriteUInt16LittleEndian(r[22..], queueSelect);
        bool selected = queueSelect == 0;
        BinaryPrimitives.WriteUInt16LittleEndian(r[24..], selected ? queue.Size : (ushort)0);
        BinaryPrimitives.WriteUInt16LittleEndian(r[26..], NoVector);
        BinaryPrimitives.WriteUInt16LittleEndian(r[28..], selected && queue.Enabled ? (ushort)1 : (ushort)0);
        BinaryPrimitives.WriteUInt16LittleEndian(r[30..], 0); // queue_notify_off
        if (selected)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(r[32..], queue.DescriptorTable);
            BinaryPrimitives.WriteUInt64LittleEndian(r[40..], queue.DriverRing);
            BinaryPrimitives.WriteUInt64LittleEndian(r[48..], queue.DeviceRing);
        }
    }

    /// <summary>struct virtio_blk_config (virtio 1.1 5.2.4): capacity, seg_max, geometry, blk_size, topology, num_queues.</summary>
    private void DeviceConfig(Span<byte> r)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(r, (ulong)(image.Length / DiskImage.SectorSize));
        BinaryPrimitives.WriteUInt32LittleEndian(r[12..], QueueSize - 2u); // seg_max
        BinaryPrimitives.WriteUInt32LittleEndian(r[20..], DiskImage.SectorSize); // blk_size
        BinaryPrimitives.WriteUInt16LittleEndian(r[34..], 1); // num_queues
    }

    private void WriteCommon(int offset, int size, ulong value)
    {
        uint v = (uint)value;
        bool selected = queueSelect == 0;
        switch (offset)
        {
            case 0: deviceFeatureSelect = v; break;
            case 8: driverFeatureSelect = v; break;
            case 12:
                if (driverFeatureSelect < 2)
                {
                    int shift = 32 * (int)driverFeatureSelect;
                    driverFeatures = (driverFeatures & ~(0xFFFF_FFFFUL << shift)) | ((ulong)v << shift);
                }

                break;
            case 20: WriteStatus((byte)v); break;
            case 22: queueSelect = (ushort)v; break;
            case 24:
                if (selected && !queue.Enabled && v is > 0 and <= QueueSize && (v & (v - 1)) == 0)
                {
                    queue.Size = (ushort)v;
                }

                break;
            case 28:
                if (selected && (v & 1) != 0)
                {
                    queue.Enabled = true;
                }

                break;
            case >= 32 and < 56 when selected:
                SetQueueAddress(offset, size, value);
                break;
        }
    }

    private void SetQueueAddress(int offset, int size, ulong value)
    {
        int field = (offset - 32) / 8;
        bool high = offset % 8 == 4;
        ulong old = field switch { 0 => queue.DescriptorTable, 1 => queue.DriverRing, _ => queue.DeviceRing };
        ulong updated = size == 8 ? value : high ? (old & 0xFFFF_FFFF) | (value << 32) : (old & ~0xFFFF_FFFFUL) | (uint)value;
        switch (field)
        {
            case 0: queue.DescriptorTable = updated; break;
            case 1: queue.DriverRing = updated; break;
            default: queue.DeviceRing = updated; break;
        }
    }

    private void WriteLegacy(int offset, uint value)
    {
        switch (offset)
        {
            case 4: driverFeatures = value; break; // a legacy driver sees and sets only the low 32 bits
            case 8:
                if (queueSelect == 0)
                {
                    queue.Size = QueueSize;
                    queue.SetLegacyAddress(value);
                }

                break;
            case 14: queueSelect = (ushort)value; break;
            case 16: Notify(); break;
            case 18: WriteStatus((byte)value); break;
        }
    }

    private void WriteStatus(byte value)
    {
        if (value == 0)
        {
            Reset();
            return;
        }

        if ((value & StatusFeaturesOk) != 0 && (driverFeatures & ~deviceFeatures) != 0)
        {
            value &= unchecked((byte)~StatusFeaturesOk); // features the device never offered: refuse (3.1.1)
        }

        status = (byte)(value | (status & StatusNeedsReset));
        queue.EventIndex = (driverFeatures & FeatureEventIndex) != 0;
    }

    /// <summary>A device reset (the driver writing 0 to the status, or the machine's RESET): no features, no queue, no interrupt.</summary>
    public void Reset()
    {
        status = 0;
        driverFeatures = 0;
        deviceFeatureSelect = driverFeatureSelect = 0;
        queueSelect = 0;
        queue.Reset();
        completions.Clear();
        completionTimer.Disarm();
        isr = 0;
        UpdateLine();
    }

    /// <summary>The driver rang the doorbell: serve every available request now; their completions follow on the clock.</summary>
    private void Notify()
    {
        Counters.Notifications++;
        if ((status & StatusDriverOk) == 0)
        {
            return;
        }

        while (queue.TryPop(out ushort head))
        {
            completions.Add((head, processor.Process(queue.Segments)));
        }

        if (queue.Broken)
        {
            status |= StatusNeedsReset;
        }

        if (completions.Count > 0 && completionTimer.Deadline is null)
        {
            completionTimer.Arm(clock.NowNs + CompletionLatencyNs);
        }
    }

    private void Complete()
    {
        ushort before = queue.UsedIndex;
        foreach ((ushort head, uint written) in completions)
        {
            queue.Push(head, written);
        }

        completions.Clear();
        if (queue.NeedsInterrupt(before))
        {
            isr |= 1;
            UpdateLine();
        }
    }

    private byte TakeIsr()
    {
        byte v = isr;
        isr = 0;
        UpdateLine();
        return v;
    }

    private void UpdateLine()
    {
        bool level = isr != 0 && !InterruptDisabled;
        if (level != lineLevel)
        {
            lineLevel = level;
            if (level)
            {
                Counters.Interrupts++;
            }

            line.Set(level);
        }
    }
}
