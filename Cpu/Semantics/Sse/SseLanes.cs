using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// Element-wise integer operations on the destination XMM register and the XMM/m128 source, for the packed
/// instructions that <see cref="Vector128"/> has no exact operation for.
/// </summary>
public static class SseLanes
{
    /// <summary>Each result element from the two elements at its position.</summary>
    public static void Binary<T>(Processor cpu, in Instruction ins, Func<T, T, T> op)
        where T : unmanaged
    {
        Vector128<T> a = SseMoves.Destination(cpu, ins).As<ulong, T>(), b = SseMoves.Source(cpu, ins).As<ulong, T>();
        Span<T> r = stackalloc T[Vector128<T>.Count];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = op(a.GetElement(i), b.GetElement(i));
        }

        SseMoves.SetDestination(cpu, ins, Vector128.Create<T>(r).AsUInt64());
    }

    /// <summary>Each result element from the source element at its position (the destination is not read).</summary>
    public static void Unary<T>(Processor cpu, in Instruction ins, Func<T, T> op)
        where T : unmanaged
    {
        Vector128<T> b = SseMoves.Source(cpu, ins).As<ulong, T>();
        Span<T> r = stackalloc T[Vector128<T>.Count];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = op(b.GetElement(i));
        }

        SseMoves.SetDestination(cpu, ins, Vector128.Create<T>(r).AsUInt64());
    }

    /// <summary>
    /// Each result element (of type <typeparamref name="TResult"/>, twice as wide) from the pair of adjacent
    /// elements at its position in the destination and the source (PMADDWD, PMADDUBSW).
    /// </summary>
    public static void Pairs<TA, TB, TResult>(Processor cpu, in Instruction ins, Func<TA, TB, TA, TB, TResult> op)
        where TA : unmanaged
        where TB : unmanaged
        where TResult : unmanaged
    {
        Vector128<TA> a = SseMoves.Destination(cpu, ins).As<ulong, TA>();
        Vector128<TB> b = SseMoves.Source(cpu, ins).As<ulong, TB>();
        Span<TResult> r = stackalloc TResult[Vector128<TResult>.Count];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = op(a.GetElement(2 * i), b.GetElement(2 * i), a.GetElement((2 * i) + 1), b.GetElement((2 * i) + 1));
        }

        SseMoves.SetDestination(cpu, ins, Vector128.Create<TResult>(r).AsUInt64());
    }

    /// <summary>
    /// Narrows the destination's elements into the low half and the source's into the high half
    /// (PACKSSWB, PACKUSWB, PACKSSDW, PACKUSDW; of the 64-bit result for MMX registers).
    /// </summary>
    public static void Narrow<TWide, TNarrow>(Processor cpu, in Instruction ins, Func<TWide, TNarrow> narrow)
        where TWide : unmanaged
        where TNarrow : unmanaged
    {
        Vector128<TWide> a = SseMoves.Destination(cpu, ins).As<ulong, TWide>(), b = SseMoves.Source(cpu, ins).As<ulong, TWide>();
        int n = Vector128<TWide>.Count * SseOperands.Width(ins) / 16;
        Span<TNarrow> r = stackalloc TNarrow[Vector128<TNarrow>.Count];
        r.Clear();
        for (int i = 0; i < n; i++)
        {
            r[i] = narrow(a.GetElement(i));
            r[i + n] = narrow(b.GetElement(i));
        }

        SseMoves.SetDestination(cpu, ins, Vector128.Create<TNarrow>(r).AsUInt64());
    }

    /// <summary>
    /// Horizontal: the destination's adjacent pairs combined into the low half, the source's into the high
    /// half (PHADDW/D, PHADDSW, PHSUBW/D, PHSUBSW; of the 64-bit result for MMX registers).
    /// </summary>
    public static void Horizontal<T>(Processor cpu, in Instruction ins, Func<T, T, T> op)
        where T : unmanaged
    {
        Vector128<T> a = SseMoves.Destination(cpu, ins).As<ulong, T>(), b = SseMoves.Source(cpu, ins).As<ulong, T>();
        int half = Vector128<T>.Count * SseOperands.Width(ins) / 32;
        Span<T> r = stackalloc T[Vector128<T>.Count];
        r.Clear();
        for (int i = 0; i < half; i++)
        {
            r[i] = op(a.GetElement(2 * i), a.GetElement((2 * i) + 1));
            r[i + half] = op(b.GetElement(2 * i), b.GetElement((2 * i) + 1));
        }

        SseMoves.SetDestination(cpu, ins, Vector128.Create<T>(r).AsUInt64());
    }
}
