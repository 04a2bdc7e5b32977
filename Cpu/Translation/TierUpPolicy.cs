namespace Cpu.Translation;

/// <summary>
/// When a block is worth compiling. A DynamicMethod costs tens of microseconds to compile, about what the
/// interpreter spends running a short block a few hundred times, so only blocks that have already run
/// that often are compiled.
/// </summary>
public static class TierUpPolicy
{
    /// <summary>Runs of a block after which <see cref="JitMode.On"/> queues it for compilation.</summary>
    public const int Threshold = 200;

    /// <summary>
    /// Shortest compiled prefix worth running under <see cref="JitMode.On"/> when it does not loop onto
    /// itself and ends before its block does (the interpreter takes over after it, so nothing chains):
    /// entering compiled code (delegate call, exception frame, register loads and stores) costs more than
    /// the interpreter spends on two or three instructions.
    /// </summary>
    public const int MinimumPrefix = 4;

    /// <summary>
    /// Guest instructions a <see cref="CompileTier.Quick"/> block completes before <see cref="JitMode.On"/>
    /// recompiles it <see cref="CompileTier.Optimized"/>. The optimized compile costs about a millisecond more
    /// and saves a few nanoseconds per memory access or flag-setting instruction, so it pays after some
    /// hundreds of thousands of instructions.
    /// </summary>
    public const long OptimizeThreshold = 250_000;

    /// <summary>
    /// Under <see cref="JitCompileTiming.Deadline"/>, guest instructions the processor retires between asking
    /// for a block's first compile and using its code: about what the interpreter runs while another host core
    /// compiles a block (a few hundred microseconds), so the processor seldom waits.
    /// </summary>
    public const long CompileLead = 50_000;

    /// <summary>Like <see cref="CompileLead"/>, for the optimized recompile (about a millisecond, while the quick code runs).</summary>
    public const long OptimizeLead = 250_000;

    /// <summary>
    /// Like <see cref="OptimizeLead"/>, per block of a region: RyuJIT's time grows faster than a method's size (a
    /// region of 30 blocks took it 30-130 ms on coremix), and the block's own code runs meanwhile.
    /// </summary>
    public const long RegionLeadPerMember = 1_000_000;

    /// <summary>
    /// True when <paramref name="compiled"/> should be recompiled optimized before this run: under
    /// <see cref="JitMode.Always"/> on its second run (so the tests run both tiers), under
    /// <see cref="JitMode.On"/> once it has completed <see cref="OptimizeThreshold"/> instructions.
    /// </summary>
    public static bool ShouldOptimize(JitMode mode, CompiledBlock compiled) =>
        compiled.Tier == CompileTier.Quick && !compiled.OptimizeQueued && compiled.Code is not null &&
        (mode == JitMode.Always ? compiled.Runs >= 1 : compiled.Retired >= OptimizeThreshold);

    /// <summary>
    /// True when a compiled prefix of <paramref name="count"/> instructions pays for its entry: it loops onto
    /// itself, is long enough, or covers its whole block (<paramref name="wholeBlock"/>), which compiled
    /// blocks chain into without the dispatcher.
    /// </summary>
    public static bool WorthCompiling(JitMode mode, int count, bool loopsOntoItself, bool wholeBlock) =>
        mode == JitMode.Always || loopsOntoItself || wholeBlock || count >= MinimumPrefix;

    /// <summary>True when the block should be compiled now (it just reached the threshold).</summary>
    public static bool ShouldCompile(JitMode mode, int executions) => mode switch
    {
        JitMode.Always => true,
        JitMode.On => executions == Threshold,
        _ => false,
    };
}
