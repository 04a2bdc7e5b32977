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

    /// <summary>True when the block should be compiled now (it just reached the threshold).</summary>
    public static bool ShouldCompile(JitMode mode, int executions) => mode switch
    {
        JitMode.Always => true,
        JitMode.On => executions == Threshold,
        _ => false,
    };
}
