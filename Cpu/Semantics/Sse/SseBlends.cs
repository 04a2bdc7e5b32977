using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// The SSE4.1 blends (each element from the destination or the source, chosen by an imm8 bit or by the
/// sign of the element of XMM0: BLENDPS/PD, PBLENDW, BLENDVPS/PD, PBLENDVB) and the sign and zero
/// extensions PMOVSXxx/PMOVZXxx (Intel SDM Vol. 2).
/// </summary>
public static class SseBlends
{
    public static void Blendps(Processor cpu, ref Instruction ins) => ByImmediate<uint>(cpu, ins);

    public static void Blendpd(Processor cpu, ref Instruction ins) => ByImmediate<ulong>(cpu, ins);

    public static void Pblendw(Processor cpu, ref Instruction ins) => ByImmediate<ushort>(cpu, ins);

    public static void Blendvps(Processor cpu, ref Instruction ins) => BySign(cpu, ins, Vector128.LessThan(SseOperands.Xmm(cpu.State, Register.XMM0).AsInt32(), Vector128<int>.Zero));

    public static void Blendvpd(Processor cpu, ref Instruction ins) => BySign(cpu, ins, Vector128.LessThan(SseOperands.Xmm(cpu.State, Register.XMM0).AsInt64(), Vector128<long>.Zero));

    public static void Pblendvb(Processor cpu, ref Instruction ins) => BySign(cpu, ins, Vector128.LessThan(SseOperands.Xmm(cpu.State, Register.XMM0).AsSByte(), Vector128<sbyte>.Zero));

    public static void Pmovsxbw(Processor cpu, ref Instruction ins) => Extend<sbyte, short>(cpu, ins, static x => x);

    public static void Pmovsxbd(Processor cpu, ref Instruction ins) => Extend<sbyte, int>(cpu, ins, static x => x);

    public static void Pmovsxbq(Processor cpu, ref Instruction ins) => Extend<sbyte, long>(cpu, ins, static x => x);

    public static void Pmovsxwd(Processor cpu, ref Instruction ins) => Extend<short, int>(cpu, ins, static x => x);

    public static void Pmovsxwq(Processor cpu, ref Instruction ins) => Extend<short, long>(cpu, ins, static x => x);

    public static void Pmovsxdq(Processor cpu, ref Instruction ins) => Extend<int, long>(cpu, ins, static x => x);

    public static void Pmovzxbw(Processor cpu, ref Instruction ins) => Extend<byte, ushort>(cpu, ins, static x => x);

    public static void Pmovzxbd(Processor cpu, ref Instruction ins) => Extend<byte, uint>(cpu, ins, static x => x);

    public static void Pmovzxbq(Processor cpu, ref Instruction ins) => Extend<byte, ulong>(cpu, ins, static x => x);

    public static void Pmovzxwd(Processor cpu, ref Instruction ins) => Extend<ushort, uint>(cpu, ins, static x => x);

    public static void Pmovzxwq(Processor cpu, ref Instruction ins) => Extend<ushort, ulong>(cpu, ins, static x => x);

    public static void Pmovzxdq(Processor cpu, ref Instruction ins) => Extend<uint, ulong>(cpu, ins, static x => x);

    /// <summary>Element i from the source when imm8 bit i is set.</summary>
    private static void ByImmediate<T>(Processor cpu, in Instruction ins)
        where T : unmanaged
    {
        Span<T> mask = stackalloc T[Vector128<T>.Count];
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = (ins.Immediate8 & (1 << i)) != 0 ? Vector128<T>.AllBitsSet.GetElement(0) : default;
        }

        BySign(cpu, ins, Vector128.Create<T>(mask));
    }

    /// <summary>Each bit from the source where <paramref name="mask"/> is set, from the destination elsewhere.</summary>
    private static void BySign<T>(Processor cpu, in Instruction ins, Vector128<T> mask)
        where T : unmanaged
    {
        Vector128<ulong> m = mask.AsUInt64();
        SseMoves.SetDestination(cpu, ins, (SseMoves.Source(cpu, ins) & m) | (SseMoves.Destination(cpu, ins) & ~m));
    }

    /// <summary>The low elements of the source (xmm, or memory of the form's size) each widened to <typeparamref name="TWide"/>.</summary>
    private static void Extend<TNarrow, TWide>(Processor cpu, in Instruction ins, Func<TNarrow, TWide> widen)
        where TNarrow : unmanaged
        where TWide : unmanaged
    {
        int count = Vector128<TWide>.Count;
        int size = count * Vector128<byte>.Count / Vector128<TNarrow>.Count;
        Vector128<TNarrow> v = Vector128.Create(SseOperands.ReadScalar(cpu, ins, 1, size), 0UL).As<ulong, TNarrow>();
        Span<TWide> r = stackalloc TWide[count];
        for (int i = 0; i < count; i++)
        {
            r[i] = widen(v.GetElement(i));
        }

        SseMoves.SetDestination(cpu, ins, Vector128.Create<TWide>(r).AsUInt64());
    }
}
