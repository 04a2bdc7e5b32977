using System.Numerics;

namespace Cpu.Semantics.Float;

/// <summary>Conversions between formats and to and from integers, and comparison.</summary>
public static partial class SoftFloat
{
    /// <summary>A signed integer rounded to format <paramref name="f"/>.</summary>
    public static Unpacked FromInteger(long value, FloatFormat f, ref FloatContext ctx)
    {
        if (value == 0)
        {
            return Unpacked.Zero(false);
        }

        bool sign = value < 0;
        ulong magnitude = sign ? (ulong)-value : (ulong)value;
        int shift = BitOperations.LeadingZeroCount(magnitude);
        return Round(sign, 63 - shift, (UInt128)(magnitude << shift) << 64, f, ref ctx);
    }

    /// <summary>
    /// To a signed integer of <paramref name="bits"/> bits, rounded by the context or truncated. NaNs and
    /// out-of-range values raise invalid and give the integer indefinite, the most negative value (SDM 4.8.3.7).
    /// </summary>
    public static long ToInteger(Unpacked a, int bits, bool truncate, ref FloatContext ctx)
    {
        long indefinite = long.MinValue >> (64 - bits);
        switch (a.Kind)
        {
            case FloatKind.Zero:
                return 0;
            case FloatKind.Finite:
                break;
            default:
                ctx.Flags |= FloatFlags.Invalid;
                return indefinite;
        }

        if (a.Exponent >= bits)
        {
            ctx.Flags |= FloatFlags.Invalid;
            return indefinite;
        }

        // value = S * 2^(e-63): keep the integer part, round on the bits below it.
        RoundingMode mode = truncate ? RoundingMode.TowardZero : ctx.Rounding;
        UInt128 fixedPoint = (UInt128)a.Significand << 64;
        int drop = 127 - a.Exponent;
        (UInt128 magnitude, bool inexact, bool up) = RoundBits(fixedPoint, drop, a.Sign, mode);
        ctx.RoundedUp = up;
        UInt128 limit = (UInt128)1 << (bits - 1);
        if (magnitude > limit || (magnitude == limit && !a.Sign))
        {
            ctx.Flags |= FloatFlags.Invalid;
            return indefinite;
        }

        if (inexact)
        {
            ctx.Flags |= FloatFlags.Precision;
        }

        long result = (long)(ulong)magnitude;
        return a.Sign ? -result : result;
    }

    /// <summary>
    /// A value rounded to an integral value in the same format (x87 FRNDINT): NaNs are made quiet (invalid
    /// for an SNaN), infinities, zeros and values of 2^63 or more are already integral; a denormal operand is reported.
    /// </summary>
    public static Unpacked RoundToIntegral(Unpacked a, ref FloatContext ctx)
    {
        if (a.IsNaN)
        {
            return Propagate(a, ref ctx);
        }

        if (a.Kind != FloatKind.Finite)
        {
            return a;
        }

        NoteDenormal(a, ref ctx);
        if (a.Exponent >= 63)
        {
            return a;
        }

        (UInt128 magnitude, bool inexact, bool up) = RoundBits((UInt128)a.Significand << 64, 127 - a.Exponent, a.Sign, ctx.Rounding);
        ctx.RoundedUp = up;
        if (inexact)
        {
            ctx.Flags |= FloatFlags.Precision;
        }

        if (magnitude == 0)
        {
            return Unpacked.Zero(a.Sign);
        }

        ulong m = (ulong)magnitude;
        int shift = BitOperations.LeadingZeroCount(m);
        return new Unpacked(FloatKind.Finite, a.Sign, 63 - shift, m << shift);
    }

    /// <summary>A value converted to format <paramref name="to"/>: NaNs are made quiet (invalid for an SNaN), finite values rounded.</summary>
    public static Unpacked Convert(Unpacked a, FloatFormat to, ref FloatContext ctx)
    {
        switch (a.Kind)
        {
            case FloatKind.Finite:
                NoteDenormal(a, ref ctx);
                return Round(a.Sign, a.Exponent, (UInt128)a.Significand << 64, to, ref ctx);
            case FloatKind.QuietNaN:
            case FloatKind.SignalingNaN:
                return Propagate(a, ref ctx);
            default:
                return a;
        }
    }

    /// <summary>
    /// Compares two values. An SNaN operand raises invalid; so does a QNaN when <paramref name="signalOnQuietNaN"/>
    /// (COMISS, and the ordered predicates of CMPPS). Denormal operands raise the denormal flag when neither is a NaN.
    /// </summary>
    public static FloatOrder Compare(Unpacked a, Unpacked b, bool signalOnQuietNaN, ref FloatContext ctx)
    {
        if (a.IsNaN || b.IsNaN)
        {
            if (signalOnQuietNaN || a.Kind == FloatKind.SignalingNaN || b.Kind == FloatKind.SignalingNaN)
            {
                ctx.Flags |= FloatFlags.Invalid;
            }

            return FloatOrder.Unordered;
        }

        NoteDenormal(a, ref ctx);
        NoteDenormal(b, ref ctx);
        int ka = OrderKey(a), kb = OrderKey(b);
        if (ka != kb || a.Kind != FloatKind.Finite)
        {
            return ka < kb ? FloatOrder.Less : ka > kb ? FloatOrder.Greater : FloatOrder.Equal;
        }

        // Both finite with the same sign.
        int magnitude = a.Exponent != b.Exponent ? a.Exponent.CompareTo(b.Exponent) : a.Significand.CompareTo(b.Significand);
        if (a.Sign)
        {
            magnitude = -magnitude;
        }

        return magnitude < 0 ? FloatOrder.Less : magnitude > 0 ? FloatOrder.Greater : FloatOrder.Equal;
    }

    /// <summary>Orders the classes: -inf, negative finite, zero (either sign), positive finite, +inf.</summary>
    private static int OrderKey(Unpacked a) => a.Kind switch
    {
        FloatKind.Zero => 0,
        FloatKind.Infinity => a.Sign ? -2 : 2,
        _ => a.Sign ? -1 : 1,
    };
}
