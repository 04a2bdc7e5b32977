using System.Diagnostics;
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

    /// <summary>Blocks compiled, compile times, instructions in compiled code, invalidations.</summary>
    public JitCounters Counters { get; } = new();

    /// <summary>
    /// Runs the compiled prefix of <paramref name="block"/> if there is one that fits the budget, first
    /// compiling it when the tier-up policy says so. On return <paramref name="index"/> is the number of
    /// instructions done (0 when nothing ran) and <paramref name="retired"/> has grown by as much; when a
    /// guest fault escapes, <paramref name="index"/> is the faulting instruction, RIP is restored by the
    /// caller from it, and the fault is rethrown.
    /// </summary>
    public void Execute(DecodedBlock block, long budget, ref long retired, ref int index)
    {
        CompiledBlock? compiled = Volatile.Read(ref block.Compiled);
        if (compiled is null)
        {
            JitMode mode = cpu.JitMode;
            if (!TierUpPolicy.ShouldCompile(mode, ++block.Executions))
            {
                return;
            }

            if (mode != JitMode.Always)
            {
                Task.Run(() => Compile(block));
                return;
            }

            compiled = Compile(block);
        }

        CompiledBlockCode? code = compiled.Code;
        if (code is null || compiled.Count > budget)
        {
            return;
        }

        int done;
        try
        {
            done = code(cpu);
        }
        catch
        {
            // RIP was set to the next instruction's address before the faulting one ran, and the
            // semantic methods change nothing when they fault.
            done = FaultingIndex(block, compiled.Count);
            index = done;
            retired += done;
            Counters.AddCompiledInstructions(done);
            throw;
        }

        index = done;
        retired += done;
        Counters.AddCompiledInstructions(done);
    }

    /// <summary>Compiles <paramref name="block"/> now and publishes the result on it.</summary>
    public CompiledBlock Compile(DecodedBlock block)
    {
        long start = Stopwatch.GetTimestamp();
        int count = TranslationFrontEnd.TranslatablePrefix(block);
        CompiledBlock compiled;
        if (count == 0)
        {
            Counters.RecordUntranslatable();
            compiled = CompiledBlock.Untranslatable;
        }
        else
        {
            CompiledBlockCode code = BlockEmitter.Emit(block, count);

            // Run the .NET JIT now (the null processor makes the method return at once), so that compile
            // time is paid here and measured, not on the first guest run.
            code(null!);
            compiled = new CompiledBlock(code, count, Counters);
            Counters.RecordCompile(Stopwatch.GetTimestamp() - start);
        }

        Volatile.Write(ref block.Compiled, compiled);
        return compiled;
    }

    private int FaultingIndex(DecodedBlock block, int count)
    {
        ulong rip = cpu.State.Rip;
        for (int i = 0; i < count; i++)
        {
            if (block.Instructions[i].NextIP == rip)
            {
                return i;
            }
        }

        return 0;
    }
}
