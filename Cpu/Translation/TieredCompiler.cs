using System.Diagnostics;
using System.Runtime.CompilerServices;
using Cpu.Decode;
using Cpu.Execution;
using Mmu.Paging;

namespace Cpu.Translation;

/// <summary>
/// The JIT tier of one processor: counts runs of decoded blocks, compiles hot ones (on the thread pool
/// for <see cref="JitMode.On"/>, synchronously for <see cref="JitMode.Always"/>), publishes the compiled
/// code on the block with one reference write, and runs it. Compiled code belongs to its decoded block,
/// so it is found with the block's key and thrown away with the block when its page is written.
/// </summary>
public sealed class TieredCompiler
{
    private readonly Processor cpu;

    public TieredCompiler(Processor cpu)
    {
        this.cpu = cpu;
    }

    /// <summary>Blocks compiled, compile times, instructions in compiled code, invalidations.</summary>
    public JitCounters Counters { get; } = new();

    /// <summary>
    /// The dispatcher's check per block, inlined: true when the block has compiled code to run, or has just
    /// reached the tier-up threshold (counting the run). Keeps the call to <see cref="Execute"/> (and its
    /// exception handler) off the path of blocks that stay interpreted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool WantsToRun(DecodedBlock block, JitMode mode)
    {
        CompiledBlock? compiled = Volatile.Read(ref block.Compiled);
        return compiled is null ? TierUpPolicy.ShouldCompile(mode, ++block.Executions) : compiled.Code is not null || compiled.Upcoming is not null;
    }

    /// <summary>
    /// Runs the compiled prefix of <paramref name="block"/> if there is one that fits the budget, first
    /// compiling it when <see cref="WantsToRun"/> said it reached the tier-up threshold, then follows
    /// chained successors (<see cref="MaxChainedBlocks"/> at most) while each one is compiled whole.
    /// On return <paramref name="block"/> is the block execution is in, <paramref name="index"/> is where the
    /// interpreter goes on in it (0 when nothing ran, else the end of its compiled prefix), and
    /// <paramref name="retired"/> has grown by the instructions done. When a guest fault escapes,
    /// <paramref name="block"/> and <paramref name="index"/> name the faulting instruction, RIP is restored by
    /// the caller from them, and the fault is rethrown.
    /// </summary>
    public void Execute(ref DecodedBlock block, long budget, ref long retired, ref int index)
    {
        CompiledBlock? compiled = Volatile.Read(ref block.Compiled);
        if (compiled is null)
        {
            // WantsToRun said the block just reached the tier-up threshold.
            compiled = Request(block, retired);
        }

        if (compiled.Code is null)
        {
            // A placeholder: the first compile is under way on the thread pool (Deadline or Background timing).
            compiled = TakeUpcoming(block, compiled, retired);
            if (compiled.Code is null)
            {
                return;
            }
        }

        try
        {
            RunChain(ref block, compiled, budget, ref retired, ref index);
        }
        catch (Exception e) when (e is CpuException or PageFaultException)
        {
            // The compiled code wrote its registers back and said which instruction faulted; the
            // semantic methods change nothing when they fault. The caller points RIP at it.
            CompiledBlock faulted = runningCode!;
            long completed = cpu.CompiledInFlight;
            cpu.CompiledInFlight = 0;
            if (faulted.Members is { } members)
            {
                block = members[cpu.CompiledRegionPosition >> 16];
                index = cpu.CompiledRegionPosition & 0xFFFF;
                cpu.CompiledRegionPosition = 0;
            }
            else
            {
                block = running!;
                index = (int)(completed % faulted.Count);
            }

            retired += completed;
            Counters.AddCompiledInstructions(completed);
            Counters.RecordExit(BlockExit.Fault);
            throw;
        }
    }

    /// <summary>The block whose compiled code <see cref="RunChain"/> is running, and that code (for a fault).</summary>
    private DecodedBlock? running;

    private CompiledBlock? runningCode;

    /// <summary>
    /// Runs <paramref name="compiled"/>, the code of <paramref name="block"/>, and follows chained successors (see
    /// <see cref="Execute"/>, which handles a fault); without a protected region of its own, so that its locals stay
    /// in host registers.
    /// </summary>
    private void RunChain(ref DecodedBlock block, CompiledBlock compiled, long budget, ref long retired, ref int index)
    {
        // The block chained into is kept in a local and handed back through the ref parameter only when
        // Execute returns or a fault escapes: a store through the ref costs a GC write barrier per block.
        DecodedBlock current = block;
        JitCounters counters = Counters;
        long invalidatedAtEntry = cpu.Counters.BlocksInvalidated;
        for (int chained = 0; ; chained++)
        {
            if (compiled.Upcoming is not null)
            {
                compiled = TakeUpcoming(current, compiled, retired);
            }
            else if (TierUpPolicy.ShouldOptimize(cpu.JitMode, compiled))
            {
                compiled = Optimize(current, compiled, retired);
            }

            CompiledBlockCode? code = compiled.Code;
            if (code is null || compiled.Count > budget)
            {
                block = current;
                return;
            }

            // What a fault needs to know (Execute's handler): a field store each, cheaper than the handler's
            // locals living on the stack throughout this loop, as they must inside a protected region.
            running = current;
            runningCode = compiled;
            if (compiled.Members is not null)
            {
                // A region is entered at the member execution is at (its code switches on this).
                cpu.CompiledRegionPosition = compiled.RegionEntry << 16;
            }

            long done;
            if (SampleThisRun())
            {
                long start = Stopwatch.GetTimestamp();
                done = code(cpu, budget);
                counters.AddSampledCompiledTicks(Math.Max(0, Stopwatch.GetTimestamp() - start - TimestampCost));
            }
            else
            {
                done = code(cpu, budget);
            }

            cpu.CompiledInFlight = 0; // the last fault point's count; the instructions are in done now

            compiled.Runs++;
            compiled.Retired += done;
            retired += done;
            budget -= done;
            counters.AddCompiledInstructions(done);

            // Chain on only from a block compiled whole that left through its end (not for a code write, a
            // stop request or an exhausted budget), and a bounded number of times: the dispatcher then takes
            // pending interrupts. After a system instruction (whose own request to end the block is expected)
            // the dispatcher's checks are made here instead.
            // A region left from one of its members: that block's end is where execution is, and its own code
            // holds the links from there.
            DecodedBlock from = current;
            CompiledBlock links = compiled;
            int fromCount = compiled.Count;
            if (compiled.Members is { } regionMembers)
            {
                from = regionMembers[cpu.CompiledRegionPosition >> 16];
                links = Volatile.Read(ref from.Compiled) is { Code: not null } own ? own : compiled;
                fromCount = from.Count;
            }

            bool afterSystemInstruction = compiled.EndsAtSystemInstruction && compiled.Members is null;
            BlockExit exit = ExitOf(from, fromCount, afterSystemInstruction, done, chained, budget, invalidatedAtEntry);
            if (exit == BlockExit.Chained)
            {
                // A block that loops onto itself (or a region into one of its members) returned because its pass
                // limit was reached: that is the moment for the dispatcher, not for another round. After a system
                // instruction the mapping may have changed (CR3, paging), so the next block is found through the TLB only.
                DecodedBlock? next = Successor(from, links, cpu.State.Rip, samePageMapping: !afterSystemInstruction);
                bool again = next is not null && (next == current || next == from ||
                    (compiled.Members is { } left && Volatile.Read(ref next.Compiled)?.Members == left));
                CompiledBlock? nextCompiled = next is null || again ? null : Volatile.Read(ref next.Compiled);

                // Not compiled (yet): the dispatcher runs it and counts it towards tier-up.
                exit = nextCompiled?.Code is null ? (next is null ? BlockExit.NotFound : again ? BlockExit.PassLimit : BlockExit.NotCompiled) :
                    nextCompiled.Count > budget ? BlockExit.Budget : BlockExit.Chained;
                if (exit == BlockExit.Chained)
                {
                    counters.RecordExit(BlockExit.Chained);
                    current = next!;
                    compiled = nextCompiled!;
                    index = 0;
                    continue;
                }
            }

            counters.RecordExit(exit);
            block = from;
            index = fromCount;
            return;
        }
    }

    /// <summary>
    /// Whether the run that completed <paramref name="done"/> instructions and left from the end of
    /// <paramref name="compiledCount"/> compiled instructions of <paramref name="block"/> may go on into the next
    /// block (<see cref="BlockExit.Chained"/>), or why not.
    /// </summary>
    private BlockExit ExitOf(DecodedBlock block, int compiledCount, bool endsAtSystemInstruction, long done, int chained, long budget, long invalidatedAtEntry)
    {
        if (compiledCount != block.Count)
        {
            return done % compiledCount != 0 ? LeftEarly(invalidatedAtEntry) : BlockExit.Interpreted;
        }

        if (endsAtSystemInstruction && done == compiledCount && cpu.Counters.BlocksInvalidated == invalidatedAtEntry)
        {
            // The instruction asked for the block to end, as all of them do: what the dispatcher would look at
            // before the next block (interrupts, the mode, a stop) is looked at here.
            return budget <= 0 ? BlockExit.Budget : chained >= MaxChainedBlocks ? BlockExit.ChainLimit :
                cpu.CompiledChainingBlocked || !cpu.MayChainAfterBlockEnd(block) ? BlockExit.Event : BlockExit.Chained;
        }

        if (cpu.MustLeaveCompiledLoop())
        {
            return LeftEarly(invalidatedAtEntry);
        }

        if (cpu.CompiledChainingBlocked)
        {
            return BlockExit.Event;
        }

        return budget <= 0 ? BlockExit.Budget : chained >= MaxChainedBlocks ? BlockExit.ChainLimit : BlockExit.Chained;
    }

    /// <summary>Compiled code left early or was asked to: for a code write, a stop request, or at an instruction's request.</summary>
    private BlockExit LeftEarly(long invalidatedAtEntry) =>
        cpu.Counters.BlocksInvalidated != invalidatedAtEntry ? BlockExit.CodeWrite : cpu.StopRequested ? BlockExit.Event : BlockExit.EndedByInstruction;

    /// <summary>
    /// One run of compiled code in <see cref="JitCounters.TimeSampleRate"/> is timed (two timestamps cost
    /// about as much as a short block): chosen by a pseudo-random sequence, so that a loop through a fixed
    /// number of blocks is not always sampled in the same block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool SampleThisRun()
    {
        sampleSeed = (sampleSeed * 6364136223846793005UL) + 1442695040888963407UL;
        return (sampleSeed >> 58) == 0;
    }

    private ulong sampleSeed = 1;

    /// <summary>
    /// What two back-to-back timestamps measure (the least of a few tries), taken off each sample: a chained
    /// block of a few instructions runs in about the time the timestamps themselves take.
    /// </summary>
    private static readonly long TimestampCost = MeasureTimestampCost();

    private static long MeasureTimestampCost()
    {
        long least = long.MaxValue;
        for (int i = 0; i < 1000; i++)
        {
            long start = Stopwatch.GetTimestamp();
            least = Math.Min(least, Stopwatch.GetTimestamp() - start);
        }

        return least;
    }

    /// <summary>
    /// Blocks run one after another inside <see cref="Execute"/> before it returns to the dispatcher. Each
    /// block is at most <see cref="BlockCache.MaxBlockInstructions"/> instructions (and a loop onto itself at
    /// most <see cref="BlockEmitter.MaxPassesPerEntry"/> passes), so a pending interrupt waits a bounded time. Device
    /// events end the budget and system instructions end the chain where the dispatcher must look, so this bound
    /// is for what becomes pending otherwise; each return to the dispatcher costs about as much as a short block.
    /// </summary>
    public const int MaxChainedBlocks = 256;

    /// <summary>Entries of the per-processor cache of branch targets (<see cref="Successor"/>), a power of two.</summary>
    public const int TargetCacheSize = 1024;

    /// <summary>Blocks by linear start address, direct-mapped: where indirect branches and returns went lately.</summary>
    private readonly DecodedBlock?[] targets = new DecodedBlock?[TargetCacheSize];

    /// <summary>
    /// The block execution continues into at <paramref name="rip"/> when it can be chained, or null. Its physical
    /// address is that of <paramref name="from"/>'s page when <paramref name="rip"/> is on the same linear page
    /// (a linear page maps one physical page, so a CR3 switch cannot make that wrong); on another page it is the
    /// current TLB's translation for a fetch, which also says the fetch is allowed (no entry: back to the
    /// dispatcher, which walks). The candidate must start at that address, in the same decoder mode, and be
    /// valid: checked first against <paramref name="compiled"/>'s two links (direct branches), then a per-CPU
    /// target cache indexed by RIP (returns and indirect branches, whose targets vary: QEMU's lookup-and-goto),
    /// then the block cache. A block whose bytes cross into the next page is chained into when that page's
    /// current fetch translation is the one it was decoded from (<see cref="SecondPageHolds"/>).
    /// </summary>
    private DecodedBlock? Successor(DecodedBlock from, CompiledBlock compiled, ulong rip, bool samePageMapping)
    {
        // Offsets in CS (RIP) become linear addresses through its base outside 64-bit mode.
        ulong linear = from.Linear(rip);
        ulong physical;
        if (samePageMapping && ((linear ^ from.Linear(from.LinearStart)) & ~0xFFFUL) == 0)
        {
            physical = (from.PhysicalStart & ~0xFFFUL) | (linear & 0xFFF);
        }
        else if (!cpu.Memory.TryTranslateFetchCached(linear, out physical))
        {
            return null;
        }

        DecodedBlock? next = compiled.FirstLink;
        if (IsBlockAt(next, rip, physical, from) && SecondPageHolds(next!))
        {
            Counters.RecordLinkHit();
            return next;
        }

        next = compiled.SecondLink;
        if (IsBlockAt(next, rip, physical, from) && SecondPageHolds(next!))
        {
            Counters.RecordLinkHit();
            return next;
        }

        int slot = (int)((rip ^ (rip >> 10)) & (TargetCacheSize - 1));
        next = targets[slot];
        if (IsBlockAt(next, rip, physical, from) && SecondPageHolds(next!))
        {
            Counters.RecordTargetCacheHit();
        }
        else
        {
            Counters.RecordTargetCacheMiss();
            next = cpu.Blocks.Find(rip, physical, from.Bitness, from.CodeBase);
            if (next is null || !SecondPageHolds(next))
            {
                return null;
            }

            targets[slot] = next;
        }

        // A free (or stale) link takes the block. Full links are kept: a direct branch has two successors at most,
        // and an exit with more (a return, an indirect branch) is served by the target cache, without a reference
        // store (and its GC write barrier) each time.
        if (compiled.FirstLink is null || !compiled.FirstLink.Valid)
        {
            compiled.FirstLink = next;
        }
        else if (compiled.SecondLink is null || !compiled.SecondLink.Valid)
        {
            compiled.SecondLink = next;
        }

        return next;
    }

    /// <summary>
    /// True when <paramref name="b"/> lies on one page, or its bytes on the next linear page are still the physical
    /// page it was decoded from in the current TLB (a fetch translation there: no entry, and the dispatcher walks).
    /// A linear page maps one physical page, but the next one may have been remapped since the block was decoded.
    /// </summary>
    private bool SecondPageHolds(DecodedBlock b) =>
        !b.CrossesPage || (cpu.Memory.TryTranslateFetchCached(b.NextPageLinear, out ulong second) && second >> 12 == b.LastPhysicalPage);

    private static bool IsBlockAt(DecodedBlock? b, ulong rip, ulong physical, DecodedBlock from) =>
        b is not null && b.LinearStart == rip && b.PhysicalStart == physical && b.Bitness == from.Bitness && b.CodeBase == from.CodeBase && b.Valid;

    /// <summary>How compiles asked for now are made: at once under <see cref="JitMode.Always"/>, else as the processor says.</summary>
    private JitCompileTiming Timing => cpu.JitMode == JitMode.Always ? JitCompileTiming.Foreground : cpu.JitCompileTiming;

    /// <summary>Starts the first compile of <paramref name="block"/> (see <see cref="StartCompile"/>).</summary>
    private CompiledBlock Request(DecodedBlock block, long retired) =>
        StartCompile(block, region: null, cpu.JitFirstTier, retired + TierUpPolicy.CompileLead, holder: null);

    /// <summary>
    /// Recompiles a hot <see cref="CompileTier.Quick"/> block optimized: now, in the background, or for a deadline;
    /// as a region (<see cref="RegionFormer"/>) when it heads one.
    /// </summary>
    private CompiledBlock Optimize(DecodedBlock block, CompiledBlock quick, long retired)
    {
        quick.OptimizeQueued = true;
        Region? region = cpu.JitRegions ? RegionFormer.Form(cpu, block) : null;
        long lead = region is null ? TierUpPolicy.OptimizeLead : TierUpPolicy.RegionLeadPerMember * region.Members.Length;
        return StartCompile(block, region, CompileTier.Optimized, retired + lead, quick);
    }

    /// <summary>
    /// Compiles <paramref name="block"/> (or the <paramref name="region"/> it heads) in <paramref name="tier"/> as
    /// <see cref="Timing"/> says: at once (returns the published code), or on the thread pool with the task on
    /// <paramref name="holder"/> (the block's current code) or, for a first compile, on a
    /// <see cref="CompiledBlock.Pending"/> placeholder published on the block (returns the one that carries it).
    /// The code is used from <paramref name="usableAt"/> retired instructions on (for a deadline), or once it is
    /// done (in the background); either way it is published on the CPU thread (<see cref="TakeUpcoming"/>).
    /// </summary>
    private CompiledBlock StartCompile(DecodedBlock block, Region? region, CompileTier tier, long usableAt, CompiledBlock? holder)
    {
        bool watchesReads = cpu.CompiledCodeWatchesReads;
        if (Timing == JitCompileTiming.Foreground)
        {
            return Publish(block, Build(block, region, tier, watchesReads));
        }

        Task<CompiledBlock> compile = Task.Run(() => Build(block, region, tier, watchesReads));
        if (Timing == JitCompileTiming.Background)
        {
            usableAt = 0;
        }

        if (holder is null)
        {
            holder = CompiledBlock.Pending(compile, usableAt);
            Volatile.Write(ref block.Compiled, holder);
        }
        else
        {
            holder.UpcomingAt = usableAt;
            holder.Upcoming = compile;
        }

        return holder;
    }

    /// <summary>
    /// The code <paramref name="holder"/>'s compile made, published on the block, once the processor has retired its
    /// <see cref="CompiledBlock.UpcomingAt"/> instructions: under <see cref="JitCompileTiming.Deadline"/> waiting for
    /// the compile if it is not done (and counting the wait), in the background only when it is done. Before that,
    /// <paramref name="holder"/>.
    /// </summary>
    private CompiledBlock TakeUpcoming(DecodedBlock block, CompiledBlock holder, long retired)
    {
        Task<CompiledBlock>? upcoming = holder.Upcoming;
        if (upcoming is null || retired < holder.UpcomingAt || !block.Valid || (!upcoming.IsCompleted && Timing != JitCompileTiming.Deadline))
        {
            return holder;
        }

        holder.Upcoming = null;
        if (!upcoming.IsCompleted)
        {
            long start = Stopwatch.GetTimestamp();
            ((IAsyncResult)upcoming).AsyncWaitHandle.WaitOne();
            Counters.RecordCompileWait(Stopwatch.GetTimestamp() - start);
        }

        return Publish(block, upcoming.GetAwaiter().GetResult());
    }

    /// <summary>Compiles <paramref name="block"/> now, in <paramref name="tier"/>, and publishes the result on it.</summary>
    public CompiledBlock Compile(DecodedBlock block, CompileTier tier = CompileTier.Quick) =>
        Publish(block, Build(block, region: null, tier, cpu.CompiledCodeWatchesReads));

    /// <summary>
    /// Compiles <paramref name="block"/> (or the <paramref name="region"/> it heads) in <paramref name="tier"/> without
    /// publishing it (any thread): its code, or <see cref="CompiledBlock.Untranslatable"/>.
    /// </summary>
    private CompiledBlock Build(DecodedBlock block, Region? region, CompileTier tier, bool watchesReads)
    {
        long start = Stopwatch.GetTimestamp();
        int count = TranslationFrontEnd.TranslatablePrefix(block);
        if (count < block.Count)
        {
            Counters.RecordPrefixEnd(block.Instructions[count].Mnemonic);
        }

        if (count == 0 || !TierUpPolicy.WorthCompiling(cpu.JitMode, count, TranslationFrontEnd.LoopsOntoItself(block, count), count == block.Count))
        {
            Counters.RecordUntranslatable();
            return CompiledBlock.Untranslatable;
        }

        CompiledBlockCode code = region is null ? BlockEmitter.Emit(block, count, tier, watchesReads) : BlockEmitter.EmitRegion(region, tier, watchesReads);

        // Run the .NET JIT now (the null processor makes the method return at once), so that compile
        // time is paid here and measured, not on the first guest run.
        code(null!, 0);
        CompiledBlock compiled = new(code, count, tier, Counters, TranslationFrontEnd.EndsAtSystemInstruction(block, count)) { Members = region?.Members };
        Counters.RecordCompile(tier, Stopwatch.GetTimestamp() - start);
        if (region is not null)
        {
            Counters.RecordRegion(region.Members.Length);
        }

        return compiled;
    }

    /// <summary>
    /// Makes <paramref name="compiled"/> the code of <paramref name="block"/> unless the block (or a member of its
    /// region) was invalidated meanwhile (CPU thread only).
    /// </summary>
    private static CompiledBlock Publish(DecodedBlock block, CompiledBlock compiled)
    {
        // A block invalidated meanwhile keeps its discarded code: it is never run again.
        if (!block.Valid)
        {
            return compiled;
        }

        CompiledBlock? previous = Volatile.Read(ref block.Compiled);
        if (compiled.Members is { } members)
        {
            // A member written meanwhile: the blocks keep the code they have (and have left the region).
            if (!Array.TrueForAll(members, m => m.Valid))
            {
                return previous ?? compiled;
            }

            CompiledBlock.PublishRegion(compiled, members);
            return compiled;
        }

        // The links learned so far still hold for the new code (same block, same exits); the shared
        // Untranslatable marker takes none.
        if (compiled.Code is not null && previous is not null)
        {
            compiled.FirstLink = previous.FirstLink;
            compiled.SecondLink = previous.SecondLink;
        }

        Volatile.Write(ref block.Compiled, compiled);
        return compiled;
    }
}
