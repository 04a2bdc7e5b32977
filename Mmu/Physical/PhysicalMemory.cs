using System.Runtime.InteropServices;

namespace Mmu.Physical;

/// <summary>
/// Guest RAM: one native, page-aligned allocation that never moves, so the TLB can hold host
/// pointers into it. As on a PC, RAM above <see cref="PciHoleStart"/> is placed from 4 GiB up
/// (the PCI hole below 4 GiB belongs to devices).
/// </summary>
public sealed unsafe class PhysicalMemory : IDisposable
{
    /// <summary>Start of the PCI hole: RAM beyond this much is moved above 4 GiB.</summary>
    public const ulong PciHoleStart = 0xC000_0000;

    /// <summary>Where the RAM that does not fit below the hole continues.</summary>
    public const ulong HighRamStart = 0x1_0000_0000;

    private byte* allocation;
    private byte* ram;

    public PhysicalMemory(ulong size)
    {
        if (size < 1024 * 1024 || (size & 0xFFF) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "RAM must be at least 1 MiB and a whole number of pages");
        }

        Size = size;
        // calloc of a large block maps zero pages lazily, so a 4 GiB guest costs only what it touches.
        allocation = (byte*)NativeMemory.AllocZeroed((nuint)size + 4096);
        ram = (byte*)(((nuint)allocation + 4095) & ~(nuint)4095);
    }

    /// <summary>Bytes of RAM in all.</summary>
    public ulong Size { get; }

    /// <summary>RAM below the PCI hole, at physical 0.</summary>
    public ulong LowSize => Math.Min(Size, PciHoleStart);

    /// <summary>RAM from 4 GiB up.</summary>
    public ulong HighSize => Size - LowSize;

    /// <summary>The host address of the first byte of RAM.</summary>
    public byte* HostBase => ram;

    /// <summary>
    /// The host address of physical address <paramref name="physical"/>, or null when it is not RAM.
    /// </summary>
    public byte* HostAddressOf(ulong physical)
    {
        if (physical < LowSize)
        {
            return ram + physical;
        }

        if (physical >= HighRamStart && physical - HighRamStart < HighSize)
        {
            return ram + LowSize + (physical - HighRamStart);
        }

        return null;
    }

    /// <summary>A span over RAM from <paramref name="physical"/>; throws when the range is not all RAM.</summary>
    public Span<byte> Span(ulong physical, int length)
    {
        byte* p = HostAddressOf(physical);
        if (p is null || length < 0 || HostAddressOf(physical + (ulong)Math.Max(length, 1) - 1) != p + Math.Max(length, 1) - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(physical), $"0x{physical:X} (+{length}) is not guest RAM");
        }

        return new Span<byte>(p, length);
    }

    /// <summary>
    /// Every byte of RAM back to zero, as at power-on. On Linux the pages are handed back to the kernel
    /// (madvise MADV_DONTNEED on private anonymous memory reads back as zero pages), so a reset does not
    /// commit the whole of a large guest; elsewhere, or if that fails, they are cleared in place.
    /// </summary>
    public void Clear()
    {
        if (OperatingSystem.IsLinux() && Madvise(ram, (nuint)Size, MadviseDontNeed) == 0)
        {
            return;
        }

        NativeMemory.Clear(ram, (nuint)Size);
    }

    private const int MadviseDontNeed = 4;

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(void* address, nuint length, int advice);

    public void Dispose()
    {
        if (allocation is not null)
        {
            NativeMemory.Free(allocation);
            allocation = null;
            ram = null;
        }
    }
}
