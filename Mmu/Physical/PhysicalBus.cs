using Mmu.Io;

namespace Mmu.Physical;

/// <summary>
/// The physical address space: RAM, device MMIO ranges, and nothing (reads all-ones, writes dropped
/// and counted). Accesses here are physical; <see cref="LinearMemory"/> translates to them.
/// </summary>
public sealed unsafe class PhysicalBus
{
    private readonly List<MmioRange> ranges = [];

    public PhysicalBus(PhysicalMemory ram)
    {
        Ram = ram;
    }

    public PhysicalMemory Ram { get; }

    /// <summary>Reads of addresses that nothing claims.</summary>
    public long UnmappedReads { get; private set; }

    /// <summary>Writes to addresses that nothing claims (dropped).</summary>
    public long UnmappedWrites { get; private set; }

    /// <summary>Gives <paramref name="device"/> the physical range [base, base + length).</summary>
    /// <exception cref="ArgumentException">The range overlaps RAM or another device's range.</exception>
    public void RegisterMmio(ulong start, ulong length, IMmioDevice device)
    {
        if (length == 0 || start + length < start)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        if (Ram.HostAddressOf(start) is not null || Ram.HostAddressOf(start + length - 1) is not null)
        {
            throw new ArgumentException($"MMIO range 0x{start:X}+0x{length:X} overlaps RAM");
        }

        foreach (MmioRange r in ranges)
        {
            if (start < r.Start + r.Length && r.Start < start + length)
            {
                throw new ArgumentException($"MMIO range 0x{start:X}+0x{length:X} overlaps {r.Device.GetType().Name} at 0x{r.Start:X}");
            }
        }

        ranges.Add(new MmioRange(start, length, device));
    }

    /// <summary>The MMIO range holding <paramref name="physical"/>, or null.</summary>
    public MmioRange? MmioAt(ulong physical)
    {
        foreach (MmioRange r in ranges)
        {
            if (physical - r.Start < r.Length)
            {
                return r;
            }
        }

        return null;
    }

    /// <summary>
    /// Raised after <see cref="WriteDma"/> with the physical start and length written, so that the
    /// memory system can tell the CPU about overwritten code (see <see cref="LinearMemory.CodeWritten"/>).
    /// </summary>
    public event Action<ulong, ulong>? DeviceWrote;

    /// <summary>
    /// A device's (DMA) write of a block of bytes: RAM is copied, MMIO and unmapped bytes go through
    /// <see cref="Write"/> one by one. Devices should write guest memory this way rather than through
    /// <see cref="PhysicalMemory.Span"/> so that code the CPU has translated from those pages is dropped.
    /// </summary>
    public void WriteDma(ulong physical, ReadOnlySpan<byte> data)
    {
        int done = 0;
        while (done < data.Length)
        {
            ulong at = physical + (ulong)done;
            int count = (int)Math.Min(4096 - (at & 0xFFF), (ulong)(data.Length - done));
            byte* p = Ram.HostAddressOf(at);
            if (p is not null)
            {
                data.Slice(done, count).CopyTo(new Span<byte>(p, count));
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    Write(at + (ulong)i, 1, data[done + i]);
                }
            }

            done += count;
        }

        if (data.Length > 0)
        {
            DeviceWrote?.Invoke(physical, (ulong)data.Length);
        }
    }

    /// <summary>A device's (DMA) read of a block of bytes.</summary>
    public void ReadDma(ulong physical, Span<byte> data)
    {
        int done = 0;
        while (done < data.Length)
        {
            ulong at = physical + (ulong)done;
            int count = (int)Math.Min(4096 - (at & 0xFFF), (ulong)(data.Length - done));
            byte* p = Ram.HostAddressOf(at);
            if (p is not null)
            {
                new ReadOnlySpan<byte>(p, count).CopyTo(data.Slice(done, count));
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    data[done + i] = (byte)Read(at + (ulong)i, 1);
                }
            }

            done += count;
        }
    }

    /// <summary>Reads <paramref name="size"/> bytes (1, 2, 4, 8) that lie within one page.</summary>
    public ulong Read(ulong physical, int size)
    {
        byte* p = Ram.HostAddressOf(physical);
        if (p is not null)
        {
            return size switch
            {
                1 => *p,
                2 => *(ushort*)p,
                4 => *(uint*)p,
                _ => *(ulong*)p,
            };
        }

        MmioRange? r = MmioAt(physical);
        if (r is not null)
        {
            return r.Device.Read(physical - r.Start, size);
        }

        UnmappedReads++;
        return size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
    }

    /// <summary>Writes the low <paramref name="size"/> bytes of <paramref name="value"/> within one page.</summary>
    public void Write(ulong physical, int size, ulong value)
    {
        byte* p = Ram.HostAddressOf(physical);
        if (p is not null)
        {
            switch (size)
            {
                case 1: *p = (byte)value; break;
                case 2: *(ushort*)p = (ushort)value; break;
                case 4: *(uint*)p = (uint)value; break;
                default: *(ulong*)p = value; break;
            }

            return;
        }

        MmioRange? r = MmioAt(physical);
        if (r is not null)
        {
            r.Device.Write(physical - r.Start, size, value);
            return;
        }

        UnmappedWrites++;
    }
}
