namespace Cpu.Translation;

/// <summary>When guest blocks are compiled to .NET IL.</summary>
public enum JitMode
{
    /// <summary>Interpreter only.</summary>
    Off,

    /// <summary>Hot blocks (run more than <see cref="TierUpPolicy.Threshold"/> times) are compiled on a background thread.</summary>
    On,

    /// <summary>Every block is compiled synchronously on its first run (for testing the compiled tier).</summary>
    Always,
}
