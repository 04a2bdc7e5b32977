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
    /// itself: entering compiled code (delegate call, exception frame, register loads and stores) costs
    /// more than the interpreter spends on two or three instructions. Mica's boot spends 6 M entries in
    /// a 2-instruction block (SUB, JE) that way.
    /// </summary>
    public const int MinimumPrefix = 4;

    /// <summary>True when a compiled prefix of <paramref name="count"/> instructions pays for its entry.</summary>
    public static bool WorthCompiling(JitMode mode, int count, bool loopsOntoItself) =>
        mode == JitMode.Always || loopsOntoItself || count >= MinimumPrefix;

    /// <summary>True when the block should be compiled now (it just reached the threshold).</summary>
    public static bool ShouldCompile(JitMode mode, int executions) => mode switch
    {
        JitMode.Always => true,
        JitMode.On => executions == Threshold,
        _ => false,
    };
}
