using System.Runtime.Intrinsics;
using Cpu.Semantics.Float;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// Operations across the elements of a register (Intel SDM Vol. 2): the SSE3 float ADDSUBPS/PD and
/// HADDPS/PD, HSUBPS/PD, the SSSE3 integer PHADDx/PHSUBx, and the SSE4.1 DPPS/DPPD, MPSADBW, PHMINPOSUW.
/// </summary>
public static class SseHorizontal
{
    public static void Addsubps(Processor cpu, ref Instruction ins) =>
        Float(cpu, ins, isDouble: false, static (a, b, i, f, ref ctx) => SseFloat.Lane((i & 1) == 0 ? SseFloatOp.Subtract : SseFloatOp.Add, a[i], b[i], f, ref ctx));

    public static void Addsubpd(Processor cpu, ref Instruction ins) =>
        Float(cpu, ins, isDouble: true, static (a, b, i, f, ref ctx) => SseFloat.Lane((i & 1) == 0 ? SseFloatOp.Subtract : SseFloatOp.Add, a[i], b[i], f, ref ctx));

    public static void Haddps(Processor cpu, ref Instruction ins) => Float(cpu, ins, isDouble: false, static (a, b, i, f, ref ctx) => Pair(SseFloatOp.Add, a, b, i, f, ref ctx));

    public static void Haddpd(Processor cpu, ref Instruction ins) => Float(cpu, ins, isDouble: true, static (a, b, i, f, ref ctx) => Pair(SseFloatOp.Add, a, b, i, f, ref ctx));

    public static void Hsubps(Processor cpu, ref Instruction ins) => Float(cpu, ins, isDouble: false, static (a, b, i, f, ref ctx) => Pair(SseFloatOp.Subtract, a, b, i, f, ref ctx));

    public static void Hsubpd(Processor cpu, ref Instruction ins) => Float(cpu, ins, isDouble: true, static (a, b, i, f, ref ctx) => Pair(SseFloatOp.Subtract, a, b, i, f, ref ctx));

    public static void Phaddw(Processor cpu, ref Instruction ins) => SseLanes.Horizontal<short>(cpu, ins, static (x, y) => (short)(x + y));

    public static void Phaddd(Processor cpu, ref Instruction ins) => SseLanes.Horizontal<int>(cpu, ins, static (x, y) => x + y);

    public static void Phaddsw(Processor cpu, ref Instruction ins) => SseLanes.Horizontal<short>(cpu, ins, static (x, y) => SseIntegerArithmetic.SaturateWord(x + y));

    public static void Phsubw(Processor cpu, ref Instruction ins) => SseLanes.Horizontal<short>(cpu, ins, static (x, y) => (short)(x - y));

    public static void Phsubd(Processor cpu, ref Instruction ins) => SseLanes.Horizontal<int>(cpu, ins, static (x, y) => x - y);

    public static void Phsubsw(Processor cpu, ref Instruction ins) => SseLanes.Horizontal<short>(cpu, ins, static (x, y) => SseIntegerArithmetic.SaturateWord(x - y));

    /// <summary>PHMINPOSUW: the smallest unsigned word (the lowest index among equals) in word 0, its index in word 1, zeros above.</summary>
    public static void Phminposuw(Processor cpu, ref Instruction ins)
    {
        Vector128<ushort> v = SseMoves.Source(cpu, ins).AsUInt16();
        int at = 0;
        for (int i = 1; i < 8; i++)
        {
            if (v.GetElement(i) < v.GetElement(at))
            {
                at = i;
            }
        }

        SseMoves.SetDestination(cpu, ins, Vector128.Create(v.GetElement(at) | ((ulong)at << 16), 0UL));
    }

    /// <summary>
    /// MPSADBW: eight sums of absolute differences between four source bytes (at dword imm8[1:0]) and eleven
    /// consecutive destination bytes (from byte 4 * imm8[2]), one per starting offset.
    /// </summary>
    public static void Mpsadbw(Processor cpu, ref Instruction ins)
    {
        Vector128<byte> a = SseMoves.Destination(cpu, ins).AsByte(), b = SseMoves.Source(cpu, ins).AsByte();
        int from = ((ins.Immediate8 >> 2) & 1) * 4, block = (ins.Immediate8 & 3) * 4;
        Span<ushort> r = stackalloc ushort[8];
        for (int i = 0; i < 8; i++)
        {
            int sum = 0;
            for (int j = 0; j < 4; j++)
            {
                sum += Math.Abs(a.GetElement(from + i + j) - b.GetElement(block + j));
            }

            r[i] = (ushort)sum;
        }

        SseMoves.SetDestination(cpu, ins, Vector128.Create<ushort>(r).AsUInt64());
    }

    /// <summary>
    /// DPPS: the products of the lanes imm8[7:4] selects (+0 for the others), summed as (p0 + p1) + (p2 + p3),
    /// each step rounded, written to the lanes imm8[3:0] selects (+0 elsewhere).
    /// </summary>
    public static void Dpps(Processor cpu, ref Instruction ins)
    {
        Vector128<uint> a = SseMoves.Destination(cpu, ins).AsUInt32(), b = SseMoves.Source(cpu, ins).AsUInt32();
        FloatFormat f = FloatFormat.Single;
        FloatContext ctx = FloatContext.FromMxcsr(cpu.State.Mxcsr);
        int imm = ins.Immediate8;
        Span<ulong> p = stackalloc ulong[4];
        for (int i = 0; i < 4; i++)
        {
            p[i] = (imm & (0x10 << i)) != 0 ? SseFloat.Lane(SseFloatOp.Multiply, a.GetElement(i), b.GetElement(i), f, ref ctx) : 0;
        }

        ulong low = SseFloat.Lane(SseFloatOp.Add, p[0], p[1], f, ref ctx);
        ulong high = SseFloat.Lane(SseFloatOp.Add, p[2], p[3], f, ref ctx);
        uint sum = (uint)SseFloat.Lane(SseFloatOp.Add, low, high, f, ref ctx);
        SseOperands.RaiseFlags(cpu, ctx.Flags);
        SseMoves.SetDestination(cpu, ins, Vector128.Create(
            (imm & 1) != 0 ? sum : 0, (imm & 2) != 0 ? sum : 0, (imm & 4) != 0 ? sum : 0, (imm & 8) != 0 ? sum : 0).AsUInt64());
    }

    /// <summary>DPPD: as <see cref="Dpps"/> for two doubles (imm8[5:4] select the products, imm8[1:0] the results).</summary>
    public static void Dppd(Processor cpu, ref Instruction ins)
    {
        Vector128<ulong> a = SseMoves.Destination(cpu, ins), b = SseMoves.Source(cpu, ins);
        FloatFormat f = FloatFormat.Double;
        FloatContext ctx = FloatContext.FromMxcsr(cpu.State.Mxcsr);
        int imm = ins.Immediate8;
        ulong p0 = (imm & 0x10) != 0 ? SseFloat.Lane(SseFloatOp.Multiply, a.GetElement(0), b.GetElement(0), f, ref ctx) : 0;
        ulong p1 = (imm & 0x20) != 0 ? SseFloat.Lane(SseFloatOp.Multiply, a.GetElement(1), b.GetElement(1), f, ref ctx) : 0;
        ulong sum = SseFloat.Lane(SseFloatOp.Add, p0, p1, f, ref ctx);
        SseOperands.RaiseFlags(cpu, ctx.Flags);
        SseMoves.SetDestination(cpu, ins, Vector128.Create((imm & 1) != 0 ? sum : 0, (imm & 2) != 0 ? sum : 0));
    }

    private delegate ulong FloatLane(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, int lane, FloatFormat f, ref FloatContext ctx);

    /// <summary>Result lane <paramref name="i"/> of HADD/HSUB: the destination's pairs in the low half, the source's in the high half.</summary>
    private static ulong Pair(SseFloatOp op, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, int i, FloatFormat f, ref FloatContext ctx)
    {
        int half = a.Length / 2;
        ReadOnlySpan<ulong> from = i < half ? a : b;
        int at = 2 * (i % half);
        return SseFloat.Lane(op, from[at], from[at + 1], f, ref ctx);
    }

    /// <summary>A packed float result computed lane by lane from both whole operands, flags applied before the write.</summary>
    private static void Float(Processor cpu, in Instruction ins, bool isDouble, FloatLane lane)
    {
        Vector128<ulong> x = SseMoves.Destination(cpu, ins), y = SseMoves.Source(cpu, ins);
        FloatFormat f = SseFloat.Format(isDouble);
        FloatContext ctx = FloatContext.FromMxcsr(cpu.State.Mxcsr);
        int n = isDouble ? 2 : 4;
        Span<ulong> a = stackalloc ulong[n], b = stackalloc ulong[n], r = stackalloc ulong[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = isDouble ? x.GetElement(i) : x.AsUInt32().GetElement(i);
            b[i] = isDouble ? y.GetElement(i) : y.AsUInt32().GetElement(i);
        }

        for (int i = 0; i < n; i++)
        {
            r[i] = lane(a, b, i, f, ref ctx);
        }

        SseOperands.RaiseFlags(cpu, ctx.Flags);
        SseMoves.SetDestination(cpu, ins, isDouble ? Vector128.Create(r[0], r[1]) : Vector128.Create((uint)r[0], (uint)r[1], (uint)r[2], (uint)r[3]).AsUInt64());
    }
}
