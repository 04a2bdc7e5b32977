using System.Diagnostics;
using System.Runtime.CompilerServices;
using Cpu.Decode;

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

    /// <summary>Set by compiled code when a guest fault leaves it: the faulting instruction's index in its block.</summary>
    public int FaultIndex;

    /// <summary>Set by compiled code when a guest fault leaves it: instructions it completed before the fault.</summary>
    public long FaultRetired;

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
        return compiled is null ? TierUpPolicy.ShouldCompile(mode, ++block.Executions) : compiled.Code is not null;
    }

    /// <summary>
    /// Runs the compiled prefix of <paramref name="block"/> if there is one that fits the budget, first
    /// compiling it when <see cref="WantsToRun"/> said it reached the tier-up threshold. On return <paramref name="index"/> is where the
    /// interpreter goes on in the block (0 when nothing ran, else the end of the compiled prefix) and
    /// <paramref name="retired"/> has grown by the instructions done (a prefix that loops onto itself may
    /// run many passes within the budget). When a guest fault escapes, <paramref name="index"/> is the
    /// faulting instruction, RIP is restored by the caller from it, and the fault is rethrown.
    /// </summary>
    public void Execute(DecodedBlock block, long budget, ref long retired, ref int index)
    {
        CompiledBlock? compiled = Volatile.Read(ref block.Compiled);
        if (compiled is null)
        {
            // WantsToRun said the block just reached the tier-up threshold.
            if (cpu.JitMode != JitMode.Always && !cpu.JitCompilesInForeground)
            {
                CompileTier first = cpu.JitFirstTier;
                Task.Run(() => Compile(block, first));
                return;
            }

            compiled = Compile(block, cpu.JitFirstTier);
        }
        else if (TierUpPolicy.ShouldOptimize(cpu.JitMode, compiled))
        {
            compiled.OptimizeQueued = true;
            if (cpu.JitMode != JitMode.Always && !cpu.JitCompilesInForeground)
            {
                Task.Run(() => Compile(block, CompileTier.Optimized));
            }
            else
            {
                compiled = Compile(block, CompileTier.Optimized);
            }
        }

        CompiledBlockCode? code = compiled.Code;
        if (code is null || compiled.Count > budget)
        {
            return;
        }

        long done;
        try
        {
            done = code(cpu, budget);
        }
        catch
        {
            // The compiled code wrote its registers back and said which instruction faulted; the semantic
            // methods change nothing when they fault. The caller points RIP at it.
            index = FaultIndex;
            retired += FaultRetired;
            Counters.AddCompiledInstructions(FaultRetired);
            throw;
        }

        compiled.Runs++;
        compiled.Retired += done;
        index = compiled.Count;
        retired += done;
        Counters.AddCompiledInstructions(done);
    }

    /// <summary>Compiles <paramref name="block"/> now, in <paramref name="tier"/>, and publishes the result on it.</summary>
    public CompiledBlock Compile(DecodedBlock block, CompileTier tier = CompileTier.Quick)
    {
        long start = Stopwatch.GetTimestamp();
        int count = TranslationFrontEnd.TranslatablePrefix(block);
        CompiledBlock compiled;
        if (count == 0 || !TierUpPolicy.WorthCompiling(cpu.JitMode, count, TranslationFrontEnd.LoopsOntoItself(block, count)))
        {
            Counters.RecordUntranslatable();
            compiled = CompiledBlock.Untranslatable;
        }
        else
        {
            CompiledBlockCode code = BlockEmitter.Emit(block, count, tier);

            // Run the .NET JIT now (the null processor makes the method return at once), so that compile
            // time is paid here and measured, not on the first guest run.
            code(null!, 0);
            compiled = new CompiledBlock(code, count, tier, Counters);
            Counters.RecordCompile(tier, Stopwatch.GetTimestamp() - start);
        }

        // A block invalidated meanwhile keeps its discarded code: it is never run again.
        if (block.Valid)
        {
            Volatile.Write(ref block.Compiled, compiled);
        }

        return compiled;
    }
}
