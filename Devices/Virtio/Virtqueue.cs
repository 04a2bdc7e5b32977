using System.Buffers.Binary;
using Mmu.Physical;

namespace Devices.Virtio;

/// <summary>
/// A split virtqueue (virtio 1.1 section 2.6): the descriptor table, the driver (available) ring and the
/// device (used) ring in guest memory, with indirect descriptors (2.6.5.3) and event index suppression
/// (2.6.7, 2.6.8). A malformed chain (a loop, a bad index, a nested indirect table) sets
/// <see cref="Broken"/> instead of throwing: nothing a guest writes may crash the emulator.
/// </summary>
public sealed class Virtqueue(PhysicalBus bus, ushort maxSize)
{
    private const ushort DescNext = 1;
    private const ushort DescWrite = 2;
    private const ushort DescIndirect = 4;
    private const ushort AvailNoInterrupt = 1;

    private readonly List<VirtqueueSegment> segments = [];
    private ushort lastAvail;
    private ushort usedIndex;

    public ushort MaxSize { get; } = maxSize;

    public ushort Size { get; set; } = maxSize;

    public ulong DescriptorTable { get; set; }

    public ulong DriverRing { get; set; }

    public ulong DeviceRing { get; set; }

    public bool Enabled { get; set; }

    /// <summary>VIRTIO_F_EVENT_IDX was negotiated.</summary>
    public bool EventIndex { get; set; }

    /// <summary>The driver broke the ring's rules; the device stops serving it until reset.</summary>
    public bool Broken { get; private set; }

    /// <summary>The buffers of the chain last returned by <see cref="TryPop"/>.</summary>
    public IReadOnlyList<VirtqueueSegment> Segments => segments;

    /// <summary>Forgets everything (device reset).</summary>
    public void Reset()
    {
        Size = MaxSize;
        DescriptorTable = DriverRing = DeviceRing = 0;
        Enabled = EventIndex = Broken = false;
        lastAvail = usedIndex = 0;
        segments.Clear();
    }

    /// <summary>Places the three parts as a legacy (0.9.5) driver lays them out from one page frame number.</summary>
    public void SetLegacyAddress(uint pageFrame)
    {
        ulong desc = (ulong)pageFrame << 12;
        DescriptorTable = desc;
        DriverRing = desc + (16UL * Size);
        DeviceRing = (DriverRing + 6 + (2UL * Size) + 4095) & ~4095UL;
        Enabled = pageFrame != 0;
    }

    /// <summary>Takes the next available chain into <see cref="Segments"/>; false when none (or the ring is broken).</summary>
    public bool TryPop(out ushort head)
    {
        head = 0;
        if (!Enabled || Broken || Size == 0)
        {
            return false;
        }

        ushort availIndex = Read16(DriverRing + 2);
        if (availIndex == lastAvail)
        {
            return false;
        }

        if ((ushort)(availIndex - lastAvail) > Size)
        {
            Broken = true;
            return false;
        }

        head = Read16(DriverRing + 4 + (2UL * (ulong)(lastAvail % Size)));
        lastAvail++;
        if (EventIndex)
        {
            Write16(DeviceRing + 4 + (8UL * Size), lastAvail); // avail_event: notify me past what I have taken
        }

        if (!ReadChain(head))
        {
            Broken = true;
            return false;
        }

        return true;
    }

    /// <summary>Returns a chain to the driver with the number of bytes the device wrote into it.</summary>
    public void Push(ushort head, uint written)
    {
        ulong element = DeviceRing + 4 + (8UL * (ulong)(usedIndex % Size));
        Span<byte> e = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(e, head);
        BinaryPrimitives.WriteUInt32LittleEndian(e[4..], written);
        bus.WriteDma(element, e);
        usedIndex++;
        Write16(DeviceRing + 2, usedIndex);
    }

    /// <summary>The used index before a batch of <see cref="Push"/> calls, for <see cref="NeedsInterrupt"/>.</summary>
    public ushort UsedIndex => usedIndex;

    /// <summary>Whether the driver wants an interrupt for the entries pushed since <paramref name="oldUsed"/> (2.6.7.2).</summary>
    public bool NeedsInterrupt(ushort oldUsed)
    {
        if (usedIndex == oldUsed)
        {
            return false;
        }

        if (EventIndex)
        {
            ushort usedEvent = Read16(DriverRing + 4 + (2UL * Size));
            return (ushort)(usedIndex - usedEvent - 1) < (ushort)(usedIndex - oldUsed);
        }

        return (Read16(DriverRing) & AvailNoInterrupt) == 0;
    }

    private bool ReadChain(ushort head)
    {
        segments.Clear();
        ulong table = DescriptorTable;
        uint count = Size;
        uint index = head;
        bool inIndirect = false;
        Span<byte> d = stackalloc byte[16];
        for (uint steps = 0; ; steps++)
        {
            if (index >= count || steps >= count)
            {
                return false;
            }

            bus.ReadDma(table + (16UL * index), d);
            ulong address = BinaryPrimitives.ReadUInt64LittleEndian(d);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(d[8..]);
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(d[12..]);
            ushort next = BinaryPrimitives.ReadUInt16LittleEndian(d[14..]);
            if ((flags & DescIndirect) != 0)
            {
                if (inIndirect || (flags & DescNext) != 0 || length == 0 || length % 16 != 0)
                {
                    return false;
                }

                table = address;
                count = length / 16;
                index = 0;
                steps = uint.MaxValue; // the indirect table's walk starts afresh
                inIndirect = true;
                continue;
            }

            segments.Add(new VirtqueueSegment(address, length, (flags & DescWrite) != 0));
            if ((flags & DescNext) == 0)
            {
                return true;
            }

            index = next;
        }
    }

    private ushort Read16(ulong address)
    {
        Span<byte> b = stackalloc byte[2];
        bus.ReadDma(address, b);
        return BinaryPrimitives.ReadUInt16LittleEndian(b);
    }

    private void Write16(ulong address, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        bus.WriteDma(address, b);
    }
}
