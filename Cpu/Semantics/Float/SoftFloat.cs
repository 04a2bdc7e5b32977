using System.Numerics;
using Cpu.State;

namespace Cpu.Semantics.Float;

/// <summary>
/// Exact binary floating point in software, for any <see cref="FloatFormat"/>: every operation computes
/// the exact result (or enough bits of it plus a sticky bit) and rounds it once, so SSE single/double and
/// x87 extended results at any precision control are bit-exact, with the exception flags of IEEE 754 as
/// x86 reports them (tininess detected after rounding, SDM 4.9.1.5). This file: taking values apart,
/// rounding and putting them together; the operations are in the other parts.
/// </summary>
public static partial class SoftFloat
{
    /// <summary>Unpacks a single (<paramref name="bits"/> in the low 32 bits) or double.</summary>
    public static Unpacked Unpack(ulong bits, FloatFormat f, ref FloatContext ctx)
    {
        int fractionBits = f.FractionBits;
        bool sign = ((bits >> (fractionBits + f.ExponentBits)) & 1) != 0;
        int biased = (int)(bits >> fractionBits) & f.MaxBiased;
        ulong fraction = bits & ((1UL << fractionBits) - 1);
        if (biased == f.MaxBiased)
        {
            if (fraction == 0)
            {
                return Unpacked.Infinity(sign);
            }

            ulong payload = fraction << (63 - fractionBits);
            return new Unpacked((payload & (1UL << 62)) != 0 ? FloatKind.QuietNaN : FloatKind.SignalingNaN, sign, 0, payload);
        }

        if (biased == 0)
        {
            if (fraction == 0)
            {
                return Unpacked.Zero(sign);
            }

            if (ctx.DenormalsAreZero)
            {
                return Unpacked.Zero(sign);
            }

            int shift = BitOperations.LeadingZeroCount(fraction);
            return new Unpacked(FloatKind.Finite, sign, f.MinExponent - (shift - (63 - fractionBits)), fraction << shift, true);
        }

        return new Unpacked(FloatKind.Finite, sign, biased - f.Bias, (fraction | (1UL << fractionBits)) << (63 - fractionBits));
    }

    /// <summary>An unsupported x87 encoding, unpacked: a signaling NaN that quiets to the real indefinite.</summary>
    public static readonly Unpacked Unsupported = new(FloatKind.SignalingNaN, true, 0, 0);

    /// <summary>
    /// Unpacks an x87 extended value. Unnormals, pseudo-zeros, pseudo-NaNs and pseudo-infinities are unsupported
    /// encodings (SDM 8.2.2): <see cref="Unsupported"/>, a signaling NaN whose quiet form is the real indefinite,
    /// so they raise #IA and the masked response is the indefinite (as the host gives, for instance, when FSTP
    /// stores an MMX register's contents).
    /// </summary>

    public static Unpacked Unpack(Float80 v)
    {
        bool sign = v.Sign;
        int biased = v.Exponent;
        ulong sig = v.Significand;
        if (biased == Float80.MaxExponent)
        {
            if ((sig >> 63) == 0)
            {
                return Unsupported;
            }

            ulong fraction = sig & ~(1UL << 63);
            return fraction == 0 ? Unpacked.Infinity(sign) :
                new Unpacked((fraction & (1UL << 62)) != 0 ? FloatKind.QuietNaN : FloatKind.SignalingNaN, sign, 0, fraction);
        }

        if (sig == 0)
        {
            return biased == 0 ? Unpacked.Zero(sign) : Unsupported;
        }

        if (biased != 0 && (sig >> 63) == 0)
        {
            return Unsupported;
        }

        // Denormals and pseudo-denormals (integer bit set with exponent 0) have the exponent of 1.
        int e = (biased == 0 ? 1 : biased) - Float80.ExponentBias;
        int shift = BitOperations.LeadingZeroCount(sig);
        return new Unpacked(FloatKind.Finite, sign, e - shift, sig << shift, biased == 0);
    }

    /// <summary>Packs an exact (already representable) value into a single or double; NaN payloads are truncated.</summary>
    public static ulong Pack(Unpacked u, FloatFormat f)
    {
        int fractionBits = f.FractionBits;
        ulong sign = u.Sign ? 1UL << (fractionBits + f.ExponentBits) : 0;
        ulong exponentAllOnes = (ulong)f.MaxBiased << fractionBits;
        switch (u.Kind)
        {
            case FloatKind.Zero:
                return sign;
            case FloatKind.Infinity:
                return sign | exponentAllOnes;
            case FloatKind.QuietNaN:
            case FloatKind.SignalingNaN:
                return sign | exponentAllOnes | (u.Significand >> (63 - fractionBits));
            default:
                {
                    int biased = u.Exponent + f.Bias;
                    if (biased <= 0)
                    {
                        return sign | (u.Significand >> (63 - fractionBits + 1 - biased));
                    }

                    return sign | ((ulong)biased << fractionBits) | ((u.Significand >> (63 - fractionBits)) & ((1UL << fractionBits) - 1));
                }
        }
    }

    /// <summary>Packs an exact value into the x87 extended format.</summary>
    public static Float80 PackExtended(Unpacked u)
    {
        ushort sign = (ushort)(u.Sign ? 0x8000 : 0);
        switch (u.Kind)
        {
            case FloatKind.Zero:
                return new Float80(0, sign);
            case FloatKind.Infinity:
                return new Float80(1UL << 63, (ushort)(sign | Float80.MaxExponent));
            case FloatKind.QuietNaN:
            case FloatKind.SignalingNaN:
                return new Float80((1UL << 63) | u.Significand, (ushort)(sign | Float80.MaxExponent));
            default:
                {
                    int biased = u.Exponent + Float80.ExponentBias;
                    return biased <= 0
                        ? new Float80(u.Significand >> (1 - biased), sign)
                        : new Float80(u.Significand, (ushort)(sign | biased));
                }
        }
    }

    /// <summary>
    /// Rounds the exact value Significand / 2^127 * 2^exponent (bit 127 set; any bits below the
    /// precision, including a final sticky bit, count as inexact) to format <paramref name="f"/> under
    /// <paramref name="ctx"/>, raising overflow, underflow and precision, and flushing tiny results to
    /// zero under FTZ.
    /// </summary>
    public static Unpacked Round(bool sign, int exponent, UInt128 significand, FloatFormat f, ref FloatContext ctx)
    {
        int p = f.Precision;
        int emin = f.MinExponent;
        bool tiny = false;
        if (exponent < emin)
        {
            // Tininess after rounding: the result rounded to p bits with an unbounded exponent is below 2^emin.
            (UInt128 k, bool _, bool _) = RoundBits(significand, 128 - p, sign, ctx.Rounding);
            int roundedExponent = k >> p != 0 ? exponent + 1 : exponent;
            tiny = roundedExponent < emin;
        }

        if (tiny && ctx.FlushToZero && ctx.UnderflowMasked)
        {
            ctx.Flags |= FloatFlags.Underflow | FloatFlags.Precision;
            return Unpacked.Zero(sign);
        }

        int drop = 128 - p + Math.Max(0, emin - exponent);
        (UInt128 kept, bool inexact, bool up) = RoundBits(significand, drop, sign, ctx.Rounding);
        ctx.RoundedUp = up;

        // The value is now kept * 2^q.
        int q = exponent - 127 + drop;
        if (inexact)
        {
            ctx.Flags |= FloatFlags.Precision;
        }

        if (tiny && (inexact || !ctx.UnderflowMasked))
        {
            ctx.Flags |= FloatFlags.Underflow;
        }

        if (kept == 0)
        {
            return Unpacked.Zero(sign);
        }

        if (kept >> p != 0)
        {
            kept >>= 1;
            q++;
        }

        int lead = 127 - (int)UInt128.LeadingZeroCount(kept);
        int e = q + lead;
        if (e > f.MaxExponent)
        {
            return Overflow(sign, f, ref ctx);
        }

        return new Unpacked(FloatKind.Finite, sign, e, (ulong)(kept << (63 - lead)));
    }

    /// <summary>The masked response to overflow (SDM 4.9.1.4): infinity or the largest finite value, by rounding direction.</summary>
    private static Unpacked Overflow(bool sign, FloatFormat f, ref FloatContext ctx)
    {
        ctx.Flags |= FloatFlags.Overflow | FloatFlags.Precision;
        bool toInfinity = ctx.Rounding switch
        {
            RoundingMode.Nearest => true,
            RoundingMode.Up => !sign,
            RoundingMode.Down => sign,
            _ => false,
        };
        ctx.RoundedUp = toInfinity;
        return toInfinity
            ? Unpacked.Infinity(sign)
            : new Unpacked(FloatKind.Finite, sign, f.MaxExponent, ulong.MaxValue << (64 - f.Precision));
    }

    /// <summary>Drops the low <paramref name="drop"/> bits with the given rounding; returns the kept bits (possibly one more bit after a carry), whether anything was dropped and whether the kept magnitude was incremented.</summary>
    private static (UInt128 Kept, bool Inexact, bool Up) RoundBits(UInt128 value, int drop, bool sign, RoundingMode mode)
    {
        if (drop <= 0)
        {
            return (value, false, false);
        }

        if (drop > 128)
        {
            // Everything is below half an ULP of the smallest denormal.
            bool up = mode == RoundingMode.Up ? !sign : mode == RoundingMode.Down && sign;
            return (up ? UInt128.One : UInt128.Zero, value != 0, up && value != 0);
        }

        UInt128 kept = drop == 128 ? UInt128.Zero : value >> drop;
        UInt128 rest = drop == 128 ? value : value & ((UInt128.One << drop) - 1);
        if (rest == 0)
        {
            return (kept, false, false);
        }

        UInt128 half = UInt128.One << (drop - 1);
        bool increment = mode switch
        {
            RoundingMode.Nearest => rest > half || (rest == half && (kept & 1) != 0),
            RoundingMode.Up => !sign,
            RoundingMode.Down => sign,
            _ => false,
        };
        return (increment ? kept + 1 : kept, true, increment);
    }
}
