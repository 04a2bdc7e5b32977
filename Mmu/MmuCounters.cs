using Mmu.Physical;

namespace Mmu;

/// <summary>
/// What the memory system did (DESIGN.md section 8). Plain fields, incremented on the hot path;
/// read them for `emu run --stats`. A "hit" is an access whose translation was in the first-level
/// TLB; a "miss" needed the victim cache or a page walk.
/// </summary>
public sealed class MmuCounters
{
    private readonly PhysicalBus bus;

    public MmuCounters(PhysicalBus bus)
    {
        this.bus = bus;
    }

    public long ReadHits;
    public long ReadMisses;
    public long WriteHits;
    public long WriteMisses;
    public long FetchHits;
    public long FetchMisses;

    /// <summary>Misses served from the victim cache (another PCID's or an evicted entry) without a walk.</summary>
    public long VictimHits;

    /// <summary>Page-table walks (each TLB miss that was not a victim hit, including those that fault).</summary>
    public long PageWalks;

    /// <summary>Walks that ended in a #PF.</summary>
    public long PageFaults;

    /// <summary>Invalidations of every entry including global ones (CR0/CR4/EFER changes, INVPCID type 2).</summary>
    public long FullFlushes;

    /// <summary>Invalidations of all non-global entries of all PCIDs (INVPCID type 3).</summary>
    public long NonGlobalFlushes;

    /// <summary>Invalidations of one PCID's non-global entries (a flushing CR3 write, INVPCID type 1).</summary>
    public long PcidFlushes;

    /// <summary>Invalidations of one page (INVLPG, INVPCID type 0).</summary>
    public long PageFlushes;

    /// <summary>MOV to CR3 that invalidated the new PCID's entries (always so with CR4.PCIDE = 0).</summary>
    public long Cr3WritesWithFlush;

    /// <summary>MOV to CR3 with CR4.PCIDE = 1 and bit 63 set: no invalidation.</summary>
    public long Cr3WritesWithoutFlush;

    /// <summary>Writes that reached a page marked as holding code (the slow path).</summary>
    public long CodePageWrites;

    /// <summary>Of <see cref="CodePageWrites"/>, those that overlapped bytes marked as code (each fired <see cref="LinearMemory.CodeWritten"/>).</summary>
    public long CodeWrites;

    public long TlbHits => ReadHits + WriteHits + FetchHits;

    public long TlbMisses => ReadMisses + WriteMisses + FetchMisses;

    /// <summary>Reads of physical addresses nobody claims (they read all-ones).</summary>
    public long UnmappedPhysicalReads => bus.UnmappedReads;

    /// <summary>Writes to physical addresses nobody claims (dropped).</summary>
    public long UnmappedPhysicalWrites => bus.UnmappedWrites;

    /// <summary>Zeroes every counter this class owns (the bus keeps its own).</summary>
    public void Reset()
    {
        ReadHits = ReadMisses = WriteHits = WriteMisses = FetchHits = FetchMisses = 0;
        VictimHits = PageWalks = PageFaults = 0;
        FullFlushes = NonGlobalFlushes = PcidFlushes = PageFlushes = 0;
        Cr3WritesWithFlush = Cr3WritesWithoutFlush = CodePageWrites = CodeWrites = 0;
    }

    public override string ToString() =>
        $"tlb hits r/w/x {ReadHits}/{WriteHits}/{FetchHits}, misses r/w/x {ReadMisses}/{WriteMisses}/{FetchMisses}, " +
        $"victim hits {VictimHits}, walks {PageWalks}, #PF {PageFaults}, flushes full {FullFlushes} non-global {NonGlobalFlushes} " +
        $"pcid {PcidFlushes} page {PageFlushes}, cr3 writes flush {Cr3WritesWithFlush} no-flush {Cr3WritesWithoutFlush}, " +
        $"code-page writes {CodePageWrites} ({CodeWrites} onto code), unmapped phys r/w {UnmappedPhysicalReads}/{UnmappedPhysicalWrites}";
}
