namespace Cpu.Translation;

/// <summary>
/// How much work RyuJIT is asked to do for a block. Inlining a shared semantic or memory method into a
/// <c>DynamicMethod</c> costs RyuJIT about 100-150 us per call site here,
/// while an indirect call (<c>calli</c>, never inlined) costs about 8 us: a block is first compiled
/// <see cref="Quick"/> and recompiled <see cref="Optimized"/> once it has run long enough to pay for it.
/// </summary>
public enum CompileTier
{
    /// <summary>Semantic and memory methods are called (indirectly, so not inlined): cheap to compile.</summary>
    Quick,

    /// <summary>Semantic and memory methods are called directly, so RyuJIT inlines and folds them.</summary>
    Optimized,
}
