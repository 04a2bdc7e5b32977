using Cpu.Decode;

namespace Cpu.Translation;

/// <summary>
/// Compiled code attached to one <see cref="Cpu.Decode.DecodedBlock"/>: it covers the block's first
/// <see cref="Count"/> instructions (the interpreter runs the rest). Lives and dies with its decoded block,
/// so it is keyed like it (physical address plus decoder mode) and survives CR3 switches.
/// </summary>
public sealed class CompiledBlock
{
    /// <summary>Marks a block that has no translatable prefix, so that it is not tried again.</summary>
    internal static readonly CompiledBlock Untranslatable = new(null, 0, CompileTier.Optimized, null);

    private readonly JitCounters? counters;

    internal CompiledBlock(CompiledBlockCode? code, int count, CompileTier tier, JitCounters? counters, bool endsAtSystemInstruction = false)
    {
        Code = code;
        Count = count;
        Tier = tier;
        this.counters = counters;
        EndsAtSystemInstruction = endsAtSystemInstruction;
    }

    /// <summary>
    /// The last compiled instruction is a called one that ends its block (SYSCALL, SYSRET, IRET, a CR3 or MSR
    /// write, a far transfer...): whether to chain on is decided by <c>Processor.MayChainAfterBlockEnd</c>,
    /// since its own request to end the block is expected.
    /// </summary>
    internal bool EndsAtSystemInstruction { get; }

    /// <summary>How the code was compiled; a <see cref="CompileTier.Quick"/> block is recompiled optimized when hot.</summary>
    public CompileTier Tier { get; }

    /// <summary>Runs of this code so far (CPU thread only).</summary>
    internal long Runs;

    /// <summary>Guest instructions this code has completed (CPU thread only), for the optimizing tier-up.</summary>
    internal long Retired;

    /// <summary>Set once the optimized recompile is queued, so that it is queued once.</summary>
    internal bool OptimizeQueued;

    /// <summary>
    /// Under <see cref="JitCompileTiming.Deadline"/>: the compile that replaces this code (or, on a
    /// <see cref="Pending"/> placeholder, gives the block its first code), taken once the processor has retired
    /// <see cref="UpcomingAt"/> instructions.
    /// </summary>
    internal Task<CompiledBlock>? Upcoming;

    /// <summary>The processor's instruction count from which <see cref="Upcoming"/> is used (see there).</summary>
    internal long UpcomingAt;

    /// <summary>A placeholder for a block whose first compile is under way (no code yet: the interpreter runs it).</summary>
    internal static CompiledBlock Pending(Task<CompiledBlock> compile, long usableAt) =>
        new(null, 0, CompileTier.Quick, null) { Upcoming = compile, UpcomingAt = usableAt };

    /// <summary>
    /// Blocks this one was last seen to continue into (a taken branch and a fall-through, say), for chaining.
    /// Hints only: whoever follows one checks that it still starts at RIP and is valid.
    /// </summary>
    internal DecodedBlock? FirstLink;

    /// <summary>The second link (see <see cref="FirstLink"/>).</summary>
    internal DecodedBlock? SecondLink;

    /// <summary>
    /// For a region (<see cref="RegionFormer"/>): the blocks compiled in, the head first, index for index with
    /// <see cref="Processor.CompiledRegionPosition"/>'s member; null for code of one block. Every member has code of
    /// its own that runs the region from it (<see cref="RegionEntry"/>).
    /// </summary>
    public DecodedBlock[]? Members { get; init; }

    /// <summary>The member of <see cref="Members"/> this code enters the region at.</summary>
    internal int RegionEntry { get; init; }

    /// <summary>A region member's code before the region: the member's again when a member's code is written.</summary>
    internal CompiledBlock? Fallback;

    /// <summary>
    /// The code of each member of <paramref name="members"/>, all running <paramref name="head"/>'s region code
    /// from that member; each keeps the member's code from before as its fallback and its links.
    /// </summary>
    internal static void PublishRegion(CompiledBlock head, DecodedBlock[] members)
    {
        for (int k = 0; k < members.Length; k++)
        {
            CompiledBlock? previous = Volatile.Read(ref members[k].Compiled);
            CompiledBlock entry = k == 0 ? head : new(head.Code, members[k].Count, head.Tier, head.counters) { Members = members, RegionEntry = k };
            entry.Fallback = previous;
            entry.FirstLink = previous?.FirstLink;
            entry.SecondLink = previous?.SecondLink;
            Volatile.Write(ref members[k].Compiled, entry);
        }
    }

    /// <summary>
    /// Marks <paramref name="members"/> as taken by a region from its forming on (CPU thread), so that no other region
    /// takes them while it compiles: regions do not overlap.
    /// </summary>
    internal static void ClaimRegion(DecodedBlock[] members)
    {
        foreach (DecodedBlock m in members)
        {
            (m.Regions ??= []).Add(members);
        }
    }

    /// <summary>True when <paramref name="b"/> was taken by a region (compiling or in use).</summary>
    internal static bool InRegion(DecodedBlock b) => b.Regions is { Count: > 0 };

    /// <summary>
    /// Called when <paramref name="member"/>, taken by regions (<see cref="DecodedBlock.Regions"/>), is invalidated, or
    /// when a region's compile is not used: every member of each leaves it, going back to its code from before.
    /// </summary>
    internal static void LeaveRegions(DecodedBlock member)
    {
        foreach (DecodedBlock[] members in member.Regions?.ToArray() ?? [])
        {
            foreach (DecodedBlock m in members)
            {
                m.Regions?.Remove(members);
                if (Volatile.Read(ref m.Compiled) is { } entry && entry.Members == members)
                {
                    // The block may form a region again from the blocks there are now.
                    entry.Discard();
                    entry.Fallback?.OptimizeQueued = false;
                    Volatile.Write(ref m.Compiled, entry.Fallback);
                }
            }
        }
    }

    /// <summary>The compiled delegate (null for <see cref="Untranslatable"/>).</summary>
    public CompiledBlockCode? Code { get; }

    /// <summary>Guest instructions covered, from the start of the block.</summary>
    public int Count { get; }

    /// <summary>True once the guest wrote the block's code; the block is never run again.</summary>
    public bool Discarded { get; private set; }

    /// <summary>Called when the owning decoded block is invalidated.</summary>
    public void Discard()
    {
        if (Discarded || Code is null)
        {
            return;
        }

        Discarded = true;
        counters?.RecordInvalidation();
    }
}
