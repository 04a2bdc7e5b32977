using Mmu;
using Mmu.Physical;

namespace Benchmarks.Memory;

/// <summary>A guest RAM with 4-level page tables built by hand, for the memory benchmarks.</summary>
internal sealed class GuestPageTables : IDisposable
{
    public const ulong Present = 1, Writable = 2, Dirty = 0x40;

    private ulong next = 0x10_0000;

    public GuestPageTables(ulong ramSize)
    {
        Ram = new PhysicalMemory(ramSize);
        Bus = new PhysicalBus(Ram);
        Memory = new LinearMemory(Bus);
        Root = NewTable();
        Memory.SetPagingControls(1, 1 << 5, 0);
        Memory.LoadCr3(Root);
        Memory.SetPagingControls(1 | (1UL << 31) | (1UL << 16), 1 << 5, (1 << 8) | (1 << 10) | (1 << 11));
    }

    public PhysicalMemory Ram { get; }

    public PhysicalBus Bus { get; }

    public LinearMemory Memory { get; }

    public ulong Root { get; }

    /// <summary>Maps a 4 KiB page, creating the tables above it.</summary>
    public void Map(ulong linear, ulong physical, ulong flags)
    {
        ulong table = Root;
        for (int shift = 39; shift > 12; shift -= 9)
        {
            ulong entry = table + (((linear >> shift) & 511) * 8);
            ulong e = Bus.Read(entry, 8);
            if ((e & Present) == 0)
            {
                e = NewTable() | Present | Writable;
                Bus.Write(entry, 8, e);
            }

            table = e & 0x000F_FFFF_FFFF_F000;
        }

        Bus.Write(table + (((linear >> 12) & 511) * 8), 8, physical | flags);
    }

    public void Dispose() => Ram.Dispose();

    private ulong NewTable()
    {
        ulong t = next;
        next += 4096;
        return t;
    }
}
