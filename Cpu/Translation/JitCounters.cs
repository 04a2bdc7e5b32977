using System.Diagnostics;
using Iced.Intel;

namespace Cpu.Translation;

/// <summary>
/// What the JIT counts for <c>--stats</c>: blocks compiled, compile time per block (median and p99),
/// instructions run in compiled code, compiled blocks invalidated. Thread-safe: compiles happen on a
/// background thread.
/// </summary>
public sealed class JitCounters
{
    private readonly object gate = new();
    private readonly List<long> compileTicks = new();
    private long optimized;
    private long sampledCompiledTicks;
    private long compileWaitTicks;

    /// <summary>One run of compiled code in this many is timed (see <see cref="CompiledCodeMilliseconds"/>).</summary>
    public const int TimeSampleRate = 64;
    private long invalidations;
    private long compiledInstructions;
    private long untranslatable;
    private readonly Dictionary<Mnemonic, long> prefixEnds = new();
    private readonly long[] exits = new long[Enum.GetValues<BlockExit>().Length];
    private long linkHits;
    private long targetCacheHits;
    private long targetCacheMisses;

    /// <summary>Compiles of blocks to IL (a block recompiled optimized counts twice).</summary>
    public int BlocksCompiled
    {
        get
        {
            lock (gate)
            {
                return compileTicks.Count;
            }
        }
    }

    /// <summary>Of those compiles, the ones that recompiled a hot block with its helpers inlined (<see cref="CompileTier.Optimized"/>).</summary>
    public long BlocksOptimized => Interlocked.Read(ref optimized);

    /// <summary>Entries into compiled blocks straight from another one (chaining), without the dispatcher.</summary>
    public long ChainedEntries => Exits(BlockExit.Chained);

    /// <summary>
    /// Host time spent running compiled code, in milliseconds: an estimate from the runs sampled (one in
    /// <see cref="TimeSampleRate"/>), scaled up. The rest of the CPU thread's time is the interpreter,
    /// the dispatcher and the devices.
    /// </summary>
    public double CompiledCodeMilliseconds => Interlocked.Read(ref sampledCompiledTicks) * (double)TimeSampleRate * 1000.0 / Stopwatch.Frequency;

    /// <summary>Blocks left to the interpreter: no translatable prefix, or one too short to pay for entering it.</summary>
    public long BlocksUntranslatable => Interlocked.Read(ref untranslatable);

    /// <summary>Guest instructions completed inside compiled code (the rest ran in the interpreter).</summary>
    public long InstructionsInCompiledCode => Interlocked.Read(ref compiledInstructions);

    /// <summary>Compiled blocks discarded because their code was written.</summary>
    public long Invalidations => Interlocked.Read(ref invalidations);

    /// <summary>Median compile time of one block (IL emission plus the .NET JIT), in microseconds.</summary>
    public double MedianCompileMicroseconds => Percentile(0.5);

    /// <summary>99th-percentile compile time of one block, in microseconds.</summary>
    public double P99CompileMicroseconds => Percentile(0.99);

    /// <summary>Total compile time, in milliseconds.</summary>
    public double TotalCompileMilliseconds
    {
        get
        {
            lock (gate)
            {
                return compileTicks.Sum() * 1000.0 / Stopwatch.Frequency;
            }
        }
    }

    /// <summary>
    /// Time the processor's thread waited for a compile it had asked for ahead (<see cref="JitCompileTiming.Deadline"/>),
    /// in milliseconds: the part of <see cref="TotalCompileMilliseconds"/> that was on the critical path.
    /// </summary>
    public double CompileWaitMilliseconds => Interlocked.Read(ref compileWaitTicks) * 1000.0 / Stopwatch.Frequency;

    internal void RecordCompileWait(long ticks) => Interlocked.Add(ref compileWaitTicks, ticks);

    /// <summary>Regions compiled (several blocks of a loop in one method, <see cref="RegionFormer"/>).</summary>
    public long RegionsCompiled => Interlocked.Read(ref regions);

    /// <summary>Blocks compiled into those regions, heads included.</summary>
    public long RegionMembers => Interlocked.Read(ref regionMembers);

    internal void RecordRegion(int members)
    {
        Interlocked.Increment(ref regions);
        Interlocked.Add(ref regionMembers, members);
    }

    private long regions;
    private long regionMembers;

    internal void RecordCompile(CompileTier tier, long ticks)
    {
        if (tier == CompileTier.Optimized)
        {
            Interlocked.Increment(ref optimized);
        }

        lock (gate)
        {
            compileTicks.Add(ticks);
        }
    }

    // Only the CPU thread adds here (a plain increment: this is on every compiled run); read through Interlocked.Read.
    internal void RecordExit(BlockExit reason) => exits[(int)reason]++;

    /// <summary>How many runs of compiled code ended for <paramref name="reason"/>.</summary>
    public long Exits(BlockExit reason) => Interlocked.Read(ref exits[(int)reason]);

    // How a chained successor was found (CPU thread only): one of its block's two links, the target cache, or
    // the block cache after a target-cache miss.
    internal void RecordLinkHit() => linkHits++;

    internal void RecordTargetCacheHit() => targetCacheHits++;

    internal void RecordTargetCacheMiss() => targetCacheMisses++;

    /// <summary>Successors found through a block's own links (direct branches).</summary>
    public long LinkHits => Interlocked.Read(ref linkHits);

    /// <summary>Successors found in the per-CPU target cache (returns, indirect branches, system-instruction targets).</summary>
    public long TargetCacheHits => Interlocked.Read(ref targetCacheHits);

    /// <summary>Successor lookups that missed the links and the target cache and went to the block cache.</summary>
    public long TargetCacheMisses => Interlocked.Read(ref targetCacheMisses);

    // Only the CPU thread adds here; the field is read from others through Interlocked.Read.
    internal void AddSampledCompiledTicks(long ticks) => sampledCompiledTicks += ticks;

    internal void RecordUntranslatable() => Interlocked.Increment(ref untranslatable);

    /// <summary>Counts a compile whose prefix ended before the block did, at an instruction of <paramref name="mnemonic"/>.</summary>
    internal void RecordPrefixEnd(Mnemonic mnemonic)
    {
        lock (gate)
        {
            prefixEnds.TryGetValue(mnemonic, out long n);
            prefixEnds[mnemonic] = n + 1;
        }
    }

    /// <summary>
    /// The instructions that ended compiled prefixes (left to the interpreter), most frequent first, with the
    /// number of compiles each ended: what the JIT does not translate, by nature or not yet.
    /// </summary>
    public IReadOnlyList<KeyValuePair<Mnemonic, long>> PrefixEnds()
    {
        lock (gate)
        {
            return [.. prefixEnds.OrderByDescending(p => p.Value).ThenBy(p => p.Key)];
        }
    }

    // Only the CPU thread adds here; the field is read from others through Interlocked.Read.
    internal void AddCompiledInstructions(long count) => compiledInstructions += count;

    internal void RecordInvalidation() => Interlocked.Increment(ref invalidations);

    private double Percentile(double p)
    {
        long[] sorted;
        lock (gate)
        {
            if (compileTicks.Count == 0)
            {
                return 0;
            }

            sorted = compileTicks.ToArray();
        }

        Array.Sort(sorted);
        int index = Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1);
        return sorted[Math.Max(0, index)] * 1_000_000.0 / Stopwatch.Frequency;
    }
}
