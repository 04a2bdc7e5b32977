namespace Cpu.Translation;

/// <summary>
/// When a compile that <see cref="JitMode.On"/> asks for (a block reaching the tier-up threshold, a quick
/// block reaching the optimizing one) is done, and when its code takes over.
/// </summary>
public enum JitCompileTiming
{
    /// <summary>
    /// On the thread pool; the code is used from the block's first run after the compile finished. Where
    /// compiled code takes over then depends on the host's speed.
    /// </summary>
    Background,

    /// <summary>
    /// On the thread pool, but the code is used from the block's first run once the processor has retired
    /// <see cref="TierUpPolicy.CompileLead"/> (or <see cref="TierUpPolicy.OptimizeLead"/>) more instructions,
    /// waiting for the compile there if it is not done: the compile overlaps execution on another host core,
    /// and where compiled code takes over depends on the guest alone (a deterministic run repeats exactly).
    /// </summary>
    Deadline,

    /// <summary>At once, on the processor's thread: the code is used from the run that asked for it (tests).</summary>
    Foreground,
}
