using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// RCPPS/RCPSS and RSQRTPS/RSQRTSS (Intel SDM Vol. 2): approximate reciprocals and reciprocal square roots
/// of singles. The SDM bounds their relative error by 1.5 * 2^-12 and leaves the exact value to the
/// implementation (Intel and AMD processors differ), so emu returns the correctly rounded value, within the
/// bound. They raise no exception and leave MXCSR alone; a denormal operand counts as a zero (giving an
/// infinity of its sign), a result too small for a normal single is flushed to a zero of its sign, NaNs are
/// returned quieted, RSQRT of a negative value is the default NaN.
/// </summary>
public static class SseApproximations
{
    private static readonly float SmallestNormal = BitConverter.UInt32BitsToSingle(0x0080_0000);

    private const uint Sign = 0x8000_0000, Exponent = 0x7F80_0000, Fraction = 0x007F_FFFF, QuietBit = 0x0040_0000, DefaultNaN = 0xFFC0_0000;

    public static void Rcpps(Processor cpu, ref Instruction ins) => Packed(cpu, ins, Reciprocal);

    public static void Rcpss(Processor cpu, ref Instruction ins) => Scalar(cpu, ins, Reciprocal);

    public static void Rsqrtps(Processor cpu, ref Instruction ins) => Packed(cpu, ins, ReciprocalSquareRoot);

    public static void Rsqrtss(Processor cpu, ref Instruction ins) => Scalar(cpu, ins, ReciprocalSquareRoot);

    /// <summary>One lane of RCPPS.</summary>
    public static uint Reciprocal(uint x)
    {
        uint sign = x & Sign;
        switch (x & Exponent)
        {
            case Exponent:
                return (x & Fraction) != 0 ? x | QuietBit : sign;
            case 0:
                return sign | Exponent;
        }

        return Normal(1.0 / BitConverter.UInt32BitsToSingle(x), sign);
    }

    /// <summary>One lane of RSQRTPS.</summary>
    public static uint ReciprocalSquareRoot(uint x)
    {
        uint sign = x & Sign;
        if ((x & Exponent) == Exponent && (x & Fraction) != 0)
        {
            return x | QuietBit;
        }

        if ((x & Exponent) == 0)
        {
            return sign | Exponent;
        }

        if (sign != 0)
        {
            return DefaultNaN;
        }

        return (x & Exponent) == Exponent ? 0 : Normal(1.0 / Math.Sqrt(BitConverter.UInt32BitsToSingle(x)), 0);
    }

    /// <summary>The single nearest <paramref name="value"/>, or a zero of <paramref name="sign"/> when that is not normal.</summary>
    private static uint Normal(double value, uint sign)
    {
        float f = (float)value;
        return Math.Abs(f) < SmallestNormal ? sign : BitConverter.SingleToUInt32Bits(f);
    }

    private static void Packed(Processor cpu, in Instruction ins, Func<uint, uint> lane)
    {
        Vector128<uint> v = SseMoves.Source(cpu, ins).AsUInt32();
        SseMoves.SetDestination(cpu, ins, Vector128.Create(lane(v.GetElement(0)), lane(v.GetElement(1)), lane(v.GetElement(2)), lane(v.GetElement(3))).AsUInt64());
    }

    private static void Scalar(Processor cpu, in Instruction ins, Func<uint, uint> lane) =>
        SseMoves.SetDestination(cpu, ins, SseOperands.Merge(SseMoves.Destination(cpu, ins), 4, lane((uint)SseOperands.ReadScalar(cpu, ins, 1, 4))));
}
