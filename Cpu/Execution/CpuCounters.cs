using Iced.Intel;

namespace Cpu.Execution;

/// <summary>
/// What the CPU counts for <c>--stats</c> and the context-switch measurements: exceptions and interrupts
/// by vector, privilege transitions by kind, decoded blocks and unimplemented instructions by mnemonic.
/// Instructions retired are on <see cref="Processor.InstructionsRetired"/>.
/// </summary>
public sealed class CpuCounters
{
    private readonly long[] exceptions = new long[256];
    private readonly long[] interrupts = new long[256];
    private readonly long[] transitions = new long[Enum.GetValues<TransitionKind>().Length];
    private readonly Dictionary<Mnemonic, long> undefined = new();

    /// <summary>Basic blocks decoded (cache misses and re-decodes after invalidation).</summary>
    public long BlocksDecoded { get; internal set; }

    /// <summary>Blocks thrown away because their code was written.</summary>
    public long BlocksInvalidated { get; internal set; }

    /// <summary>Exceptions raised by instructions (faults and traps, not INT n), by vector.</summary>
    public ReadOnlySpan<long> ExceptionsByVector => exceptions;

    /// <summary>External (maskable) interrupts taken, by vector.</summary>
    public ReadOnlySpan<long> InterruptsByVector => interrupts;

    /// <summary>Privilege transitions, indexed by <see cref="TransitionKind"/>.</summary>
    public ReadOnlySpan<long> TransitionsByKind => transitions;

    public void RecordException(int vector) => exceptions[vector & 0xFF]++;

    public void RecordInterrupt(int vector) => interrupts[vector & 0xFF]++;

    /// <summary>Called by the system instructions and interrupt delivery when the privilege level changes.</summary>
    public void RecordTransition(TransitionKind kind) => transitions[(int)kind]++;

    public long Transitions(TransitionKind kind) => transitions[(int)kind];

    /// <summary>Counts an instruction the interpreter does not implement (it raises #UD in the guest).</summary>
    public void RecordUndefined(Mnemonic mnemonic)
    {
        undefined.TryGetValue(mnemonic, out long n);
        undefined[mnemonic] = n + 1;
    }

    public long UndefinedCount(Mnemonic mnemonic) => undefined.TryGetValue(mnemonic, out long n) ? n : 0;

    /// <summary>The <paramref name="count"/> most frequent unimplemented mnemonics, most frequent first.</summary>
    public IReadOnlyList<KeyValuePair<Mnemonic, long>> TopUndefined(int count)
    {
        var all = new List<KeyValuePair<Mnemonic, long>>(undefined);
        all.Sort((a, b) => b.Value.CompareTo(a.Value));
        if (all.Count > count)
        {
            all.RemoveRange(count, all.Count - count);
        }

        return all;
    }
}
