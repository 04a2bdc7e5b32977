using Devices.Interrupts;
using Devices.Pci;
using Devices.Storage;
using Devices.Timing;
using Mmu.Interrupts;
using Mmu.Physical;

namespace Devices.Virtio;

/// <summary>
/// A virtio-blk disk on PCI, presented as QEMU's transitional virtio-blk-pci (1AF4:1001, subsystem 2): the
/// virtio 1.x interface through vendor capabilities into a 64-bit memory BAR4 (common configuration at 0,
/// ISR at 0x1000, device configuration at 0x2000, notifications at 0x3000), the legacy 0.9.5 registers in
/// I/O BAR0 (virtio 1.1 sections 4.1.4 and 4.1.4.8), and MSI-X with two vectors (configuration and the queue)
/// whose table and pending bits are in BAR1; INTA# while MSI-X is off. One split virtqueue.
/// A notification takes the available requests; their image I/O runs on an I/O worker thread (or inline,
/// <see cref="ServesOnWorker"/>) and they are returned to the driver, with the interrupt,
/// <see cref="CompletionLatencyNs"/> later on the virtual clock. On the deterministic clock the CPU thread waits
/// for the worker if it has not finished by then, so a run stays a function of its input; on the realtime clock
/// a batch served by the worker completes as soon as the worker is done.
/// </summary>
public sealed partial class VirtioBlock : PciFunction, IPciBarDevice, IDisposable
{
    public const ushort VendorIdValue = 0x1AF4;
    public const ushort TransitionalDeviceId = 0x1001;
    public const ushort BlockSubsystemId = 2;
    public const ushort QueueSize = 256;
    public const uint ModernBarSize = 0x4000;
    public const uint LegacyBarSize = 0x80;
    public const uint MsixBarSize = 0x1000;
    public const int CommonOffset = 0x0000;
    public const int IsrOffset = 0x1000;
    public const int DeviceConfigOffset = 0x2000;
    public const int NotifyOffset = 0x3000;
    public const uint NotifyMultiplier = 4;

    /// <summary>The legacy device configuration's offset in BAR0 (24 while MSI-X is enabled: the two vector registers come first).</summary>
    public const int LegacyConfigOffset = 20;

    /// <summary>MSI-X vectors: the configuration-change vector and one per queue (QEMU's count for one queue).</summary>
    public const int MsixVectors = 2;

    /// <summary>Where the MSI-X pending bits are in BAR1 (the table is at 0), as QEMU.</summary>
    public const uint MsixPbaOffset = 0x800;

    /// <summary>VIRTIO_MSI_NO_VECTOR (virtio 1.1 4.1.4.3).</summary>
    public const ushort NoVector = 0xFFFF;

    /// <summary>Virtual time from a notification to the completion interrupt.</summary>
    public const long CompletionLatencyNs = 10_000;

    /// <summary>Realtime clock: how often a batch still on the worker is looked at again.</summary>
    public const long RealtimePollNs = 2_000;

    public const ulong FeatureSegMax = 1UL << 2;
    public const ulong FeatureReadOnly = 1UL << 5;
    public const ulong FeatureBlockSize = 1UL << 6;
    public const ulong FeatureFlush = 1UL << 9;
    public const ulong FeatureDiscard = 1UL << 13;
    public const ulong FeatureWriteZeroes = 1UL << 14;
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
    private const int MsixBar = 1;

    private readonly IInterruptLine line;
    private readonly DiskImage image;
    private readonly Virtqueue queue;
    private readonly BlockRequestProcessor processor;
    private readonly MsixTable msix;
    private readonly ClockTimer completionTimer;
    private readonly VirtualClock clock;
    private readonly Queue<BlockBatch> inFlight = new();
    private readonly Stack<BlockBatch> freeBatches = new();
    private readonly Stack<BlockRequest> freeRequests = new();
    private readonly ulong deviceFeatures;
    private BlockIoWorker? worker;
    private ulong driverFeatures;
    private uint deviceFeatureSelect;
    private uint driverFeatureSelect;
    private ushort queueSelect;
    private ushort configVector = NoVector;
    private ushort queueVector = NoVector;
    private byte status;
    private byte isr;
    private bool lineLevel;

    /// <summary>
    /// A disk serving <paramref name="image"/>, its INTA# wired to <paramref name="interruptLine"/> (ISA IRQ
    /// <paramref name="irq"/>, where firmware routed it) and its MSI-X messages to <paramref name="messages"/>, its
    /// BARs placed at <paramref name="bars"/>; <paramref name="serial"/> is what VIRTIO_BLK_T_GET_ID returns. With
    /// <paramref name="ioWorker"/> the image I/O runs on a worker thread, otherwise on the CPU thread.
    /// </summary>
    public VirtioBlock(PhysicalBus bus, VirtualClock clock, IInterruptLine interruptLine, byte irq, IMessageSignaledInterrupts? messages, DiskImage image, VirtioBlockBars bars, string serial, bool ioWorker)
        : base(VendorIdValue, TransitionalDeviceId, 0x01_00_00, revision: 0)
    {
        this.clock = clock;
        line = interruptLine;
        this.image = image;
        queue = new Virtqueue(bus, QueueSize);
        processor = new BlockRequestProcessor(bus, image, Counters, serial);
        msix = new MsixTable(MsixVectors, MsixPbaOffset, bus, messages);
        completionTimer = clock.CreateTimer("virtio-blk", _ => Complete());
        ServesOnWorker = ioWorker;
        deviceFeatures = FeatureSegMax | FeatureBlockSize | FeatureFlush | FeatureDiscard | FeatureWriteZeroes | FeatureAnyLayout | FeatureIndirect
            | FeatureEventIndex | FeatureVersion1 | (image.ReadOnly ? FeatureReadOnly : 0);
        SetSubsystem(VendorIdValue, BlockSubsystemId);
        SetInterrupt(pin: 1, line: irq);
        DefineBar(LegacyBar, LegacyBarSize, 1, bars.Io);
        DefineBar(MsixBar, MsixBarSize, 0, bars.Msix);
        DefineBar(ModernBar, ModernBarSize, 0xC, bars.Modern); // 64-bit prefetchable, as QEMU
        AddVendorCapability(0x40, cfgType: 1, CommonOffset, RegionSize); // each structure in its own page, as QEMU
        AddVendorCapability(0x50, cfgType: 3, IsrOffset, RegionSize);
        AddVendorCapability(0x60, cfgType: 4, DeviceConfigOffset, RegionSize);
        AddVendorCapability(0x70, cfgType: 2, NotifyOffset, RegionSize, NotifyMultiplier);
        AddMsixCapability(0x98, MsixVectors, MsixBar, 0, MsixPbaOffset); // where QEMU puts it
    }

    public VirtioBlockCounters Counters { get; } = new();

    /// <summary>The driver's status byte (virtio 1.1 section 2.1).</summary>
    public byte DeviceStatus => status;

    public DiskImage Image => image;

    /// <summary>Whether the image I/O runs on a worker thread (otherwise on the CPU thread, at the notification).</summary>
    public bool ServesOnWorker { get; }

    /// <summary>A device reset (the driver writing 0 to the status, or the machine's RESET): no features, no queue, no interrupt.</summary>
    public void Reset()
    {
        DropInFlight();
        status = 0;
        driverFeatures = 0;
        deviceFeatureSelect = driverFeatureSelect = 0;
        queueSelect = 0;
        configVector = queueVector = NoVector;
        queue.Reset();
        completionTimer.Disarm();
        isr = 0;
        UpdateLine();
    }

    /// <summary>Finishes the image I/O in flight and stops the worker; the image stays open (its owner closes it).</summary>
    public void Dispose()
    {
        DropInFlight();
        worker?.Dispose();
        worker = null;
    }

    protected override void InterruptDisableChanged() => UpdateLine();

    protected override void MsixControlChanged()
    {
        UpdateLine();
        msix.SendPending(MsixEnabled, MsixFunctionMasked);
    }

    /// <summary>The driver rang the doorbell: take every available request now; their completions follow on the clock.</summary>
    private void Notify()
    {
        Counters.Notifications++;
        if ((status & StatusDriverOk) == 0)
        {
            return;
        }

        BlockBatch batch = freeBatches.Count > 0 ? freeBatches.Pop() : new BlockBatch();
        while (queue.TryPop(out ushort head))
        {
            BlockRequest request = freeRequests.Count > 0 ? freeRequests.Pop() : new BlockRequest();
            request.Head = head;
            request.Chain.Clear();
            request.Chain.AddRange(queue.Segments);
            processor.Prepare(request);
            batch.Requests.Add(request);
        }

        if (queue.Broken)
        {
            status |= StatusNeedsReset;
        }

        if (batch.Requests.Count == 0)
        {
            freeBatches.Push(batch);
            return;
        }

        bool onWorker = ServesOnWorker && batch.NeedsImage;
        batch.Deadline = clock.NowNs + (onWorker && clock.Mode == ClockMode.Realtime ? 0 : CompletionLatencyNs);
        if (onWorker)
        {
            worker ??= new BlockIoWorker(processor, "virtio-blk I/O");
            worker.Submit(batch);
        }
        else
        {
            foreach (BlockRequest r in batch.Requests)
            {
                processor.Execute(r);
            }

            batch.MarkDone();
        }

        inFlight.Enqueue(batch);
        if (completionTimer.Deadline is null)
        {
            completionTimer.Arm(batch.Deadline);
        }
    }

    /// <summary>Returns the batches that are due to the driver, oldest first, and interrupts it once.</summary>
    private void Complete()
    {
        ushort before = queue.UsedIndex;
        while (inFlight.TryPeek(out BlockBatch? batch) && batch.Deadline <= clock.NowNs)
        {
            if (!batch.Done)
            {
                if (clock.Mode == ClockMode.Realtime)
                {
                    break; // complete when the worker is done: look again shortly
                }

                batch.WaitDone(); // the deterministic clock got there first: the guest must see the same thing every run
            }

            inFlight.Dequeue();
            foreach (BlockRequest r in batch.Requests)
            {
                queue.Push(r.Head, processor.Finish(r));
                freeRequests.Push(r);
            }

            batch.Clear();
            freeBatches.Push(batch);
        }

        if (inFlight.TryPeek(out BlockBatch? next))
        {
            completionTimer.Arm(clock.Mode == ClockMode.Deterministic || next.Done ? next.Deadline : Math.Max(next.Deadline, clock.NowNs + RealtimePollNs));
        }

        if (queue.NeedsInterrupt(before))
        {
            SignalUsedBuffers();
        }
    }

    /// <summary>Waits for the worker's batches and forgets every request in flight (reset, dispose).</summary>
    private void DropInFlight()
    {
        while (inFlight.TryDequeue(out BlockBatch? batch))
        {
            batch.WaitDone();
            foreach (BlockRequest r in batch.Requests)
            {
                freeRequests.Push(r);
            }

            batch.Clear();
            freeBatches.Push(batch);
        }
    }

    /// <summary>A used-buffer notification: the ISR bit (as QEMU sets it either way), then the queue's MSI-X vector or INTA#.</summary>
    private void SignalUsedBuffers()
    {
        isr |= 1;
        if (MsixEnabled)
        {
            if (queueVector != NoVector && msix.Signal(queueVector, MsixFunctionMasked))
            {
                Counters.Interrupts++;
            }

            return;
        }

        UpdateLine();
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
        bool level = isr != 0 && !InterruptDisabled && !MsixEnabled;
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
