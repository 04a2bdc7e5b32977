using System.Runtime.Intrinsics;
using Cpu.Semantics.Float;
using Cpu.State;

namespace Cpu.Semantics.Sse;

/// <summary>
/// SSE/SSE2 floating point on single and double lanes through <see cref="SoftFloat"/> under MXCSR:
/// arithmetic, MIN/MAX, the CMPxx predicates, COMIS/UCOMIS, and conversions (Intel SDM Vol. 2, each
/// instruction's page; Vol. 1, 11.5 for the exceptions). The caller applies the raised flags with
/// <see cref="SseOperands.RaiseFlags"/> before writing the result.
/// </summary>
public static class SseFloat
{
    public static FloatFormat Format(bool isDouble) => isDouble ? FloatFormat.Double : FloatFormat.Single;

    /// <summary>One lane: <paramref name="a"/> is the first source (the destination), <paramref name="b"/> the second.</summary>
    public static ulong Lane(SseFloatOp op, ulong a, ulong b, FloatFormat f, ref FloatContext ctx)
    {
        Unpacked x = SoftFloat.Unpack(a, f, ref ctx);
        Unpacked y = SoftFloat.Unpack(b, f, ref ctx);
        Unpacked r;
        switch (op)
        {
            case SseFloatOp.Add: r = SoftFloat.Add(x, y, f, ref ctx); break;
            case SseFloatOp.Subtract: r = SoftFloat.Subtract(x, y, f, ref ctx); break;
            case SseFloatOp.Multiply: r = SoftFloat.Multiply(x, y, f, ref ctx); break;
            case SseFloatOp.Divide: r = SoftFloat.Divide(x, y, f, ref ctx); break;
            case SseFloatOp.SquareRoot: r = SoftFloat.SquareRoot(y, f, ref ctx); break;
            default:
                {
                    // MIN/MAX return the second source unless the first is strictly smaller (larger): also
                    // for NaNs (returned as they are, not quieted) and for two zeros. Any NaN is invalid (SDM
                    // MINPS/MAXPS). A denormal read as zero under DAZ is returned as that zero.
                    FloatOrder order = SoftFloat.Compare(x, y, signalOnQuietNaN: true, ref ctx);
                    bool first = op == SseFloatOp.Min ? order == FloatOrder.Less : order == FloatOrder.Greater;
                    (ulong raw, Unpacked chosen) = first ? (a, x) : (b, y);
                    return chosen.IsNaN ? raw : SoftFloat.Pack(chosen, f);
                }
        }

        return SoftFloat.Pack(r, f);
    }

    /// <summary>One lane of <paramref name="op"/>, or of the CMPxx <paramref name="predicate"/> when it is 0-7 (not negative).</summary>
    public static ulong LaneOrCompare(SseFloatOp op, int predicate, ulong a, ulong b, FloatFormat f, ref FloatContext ctx) =>
        predicate < 0 ? Lane(op, a, b, f, ref ctx) : ComparePredicate(predicate, a, b, f, ref ctx);

    /// <summary>A packed operation (or CMPPS/CMPPD with a <paramref name="predicate"/>): four singles or two doubles.</summary>
    public static Vector128<ulong> Packed(SseFloatOp op, int predicate, Vector128<ulong> a, Vector128<ulong> b, bool isDouble, ref FloatContext ctx)
    {
        if (isDouble)
        {
            return Vector128.Create(
                LaneOrCompare(op, predicate, a.GetElement(0), b.GetElement(0), FloatFormat.Double, ref ctx),
                LaneOrCompare(op, predicate, a.GetElement(1), b.GetElement(1), FloatFormat.Double, ref ctx));
        }

        Vector128<uint> x = a.AsUInt32(), y = b.AsUInt32();
        return Vector128.Create(
            (uint)LaneOrCompare(op, predicate, x.GetElement(0), y.GetElement(0), FloatFormat.Single, ref ctx),
            (uint)LaneOrCompare(op, predicate, x.GetElement(1), y.GetElement(1), FloatFormat.Single, ref ctx),
            (uint)LaneOrCompare(op, predicate, x.GetElement(2), y.GetElement(2), FloatFormat.Single, ref ctx),
            (uint)LaneOrCompare(op, predicate, x.GetElement(3), y.GetElement(3), FloatFormat.Single, ref ctx)).AsUInt64();
    }

    /// <summary>
    /// The CMPPS/CMPSS predicate <paramref name="predicate"/> (imm8 0-7: EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD):
    /// all ones when true. LT, LE, NLT and NLE signal invalid on a QNaN too.
    /// </summary>
    public static ulong ComparePredicate(int predicate, ulong a, ulong b, FloatFormat f, ref FloatContext ctx)
    {
        Unpacked x = SoftFloat.Unpack(a, f, ref ctx);
        Unpacked y = SoftFloat.Unpack(b, f, ref ctx);
        int p = predicate & 7;
        bool signaling = p is 1 or 2 or 5 or 6;
        FloatOrder order = SoftFloat.Compare(x, y, signaling, ref ctx);
        bool result = p switch
        {
            0 => order == FloatOrder.Equal,
            1 => order == FloatOrder.Less,
            2 => order is FloatOrder.Less or FloatOrder.Equal,
            3 => order == FloatOrder.Unordered,
            4 => order != FloatOrder.Equal,
            5 => order is not FloatOrder.Less,
            6 => order is not (FloatOrder.Less or FloatOrder.Equal),
            _ => order != FloatOrder.Unordered,
        };
        return result ? (f.Precision == FloatFormat.Double.Precision ? ulong.MaxValue : uint.MaxValue) : 0;
    }

    /// <summary>COMISS/UCOMISS/COMISD/UCOMISD: ZF, PF, CF from the order (unordered sets all three); OF, SF, AF clear.</summary>
    public static ulong CompareToFlags(ulong a, ulong b, FloatFormat f, bool signalOnQuietNaN, ref FloatContext ctx)
    {
        Unpacked x = SoftFloat.Unpack(a, f, ref ctx);
        Unpacked y = SoftFloat.Unpack(b, f, ref ctx);
        return SoftFloat.Compare(x, y, signalOnQuietNaN, ref ctx) switch
        {
            FloatOrder.Unordered => Rflag.ZF | Rflag.PF | Rflag.CF,
            FloatOrder.Less => Rflag.CF,
            FloatOrder.Equal => Rflag.ZF,
            _ => 0,
        };
    }

    /// <summary>A float lane to another format (CVTSS2SD, CVTSD2SS, CVTPS2PD, CVTPD2PS).</summary>
    public static ulong ConvertLane(ulong a, FloatFormat from, FloatFormat to, ref FloatContext ctx) =>
        SoftFloat.Pack(SoftFloat.Convert(SoftFloat.Unpack(a, from, ref ctx), to, ref ctx), to);

    /// <summary>A float lane to a signed integer of <paramref name="bits"/> bits (CVT(T)SS2SI, CVT(T)PS2DQ...).</summary>
    public static ulong ToIntegerLane(ulong a, FloatFormat from, int bits, bool truncate, ref FloatContext ctx) =>
        (ulong)SoftFloat.ToInteger(SoftFloat.Unpack(a, from, ref ctx), bits, truncate, ref ctx) & Operands.SizeMask(bits / 8);

    /// <summary>A signed integer to a float lane (CVTSI2SS, CVTDQ2PS...).</summary>
    public static ulong FromIntegerLane(long value, FloatFormat to, ref FloatContext ctx) =>
        SoftFloat.Pack(SoftFloat.FromInteger(value, to, ref ctx), to);
}
