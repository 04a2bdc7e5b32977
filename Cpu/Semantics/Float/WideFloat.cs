using System.Numerics;

namespace Cpu.Semantics.Float;

/// <summary>
/// A binary floating-point value Mantissa * 2^Exponent of about <see cref="Precision"/> bits, for the
/// x87 transcendentals: they are evaluated to far more bits than the 64 of the result (then rounded
/// once by <see cref="SoftFloat.Round"/>), so the result is the correctly rounded one but in
/// astronomically rare cases. Operations truncate to the working precision.
/// </summary>
public readonly record struct WideFloat(BigInteger Mantissa, int Exponent)
{
    /// <summary>The working precision in bits.</summary>
    public const int Precision = 200;

    public static readonly WideFloat Zero = new(BigInteger.Zero, 0);

    public static readonly WideFloat One = new(BigInteger.One, 0);

    public bool IsZero => Mantissa.IsZero;

    public bool IsNegative => Mantissa.Sign < 0;

    /// <summary>The exponent of the leading bit: the value's magnitude is in [2^Top, 2^(Top+1)).</summary>
    public long Top => Exponent + (long)BigInteger.Abs(Mantissa).GetBitLength() - 1;

    public static WideFloat FromUnpacked(Unpacked u) =>
        new WideFloat(u.Sign ? -new BigInteger(u.Significand) : new BigInteger(u.Significand), u.Exponent - 63).Normalized();

    public static WideFloat FromInteger(long value) => new(value, 0);

    public WideFloat Negated() => new(-Mantissa, Exponent);

    public WideFloat Abs() => new(BigInteger.Abs(Mantissa), Exponent);

    public static WideFloat operator *(WideFloat a, WideFloat b) => new WideFloat(a.Mantissa * b.Mantissa, a.Exponent + b.Exponent).Normalized();

    public static WideFloat operator -(WideFloat a, WideFloat b) => a + b.Negated();

    public static WideFloat operator +(WideFloat a, WideFloat b)
    {
        if (a.IsZero)
        {
            return b;
        }

        if (b.IsZero)
        {
            return a;
        }

        // Align at the lower exponent, but no lower than the working precision below the larger value.
        long floor = Math.Max(a.Top, b.Top) - Precision - 16;
        int common = (int)Math.Max(Math.Min(a.Exponent, b.Exponent), floor);
        return new WideFloat(Align(a, common) + Align(b, common), common).Normalized();
    }

    public static WideFloat operator /(WideFloat a, WideFloat b)
    {
        if (a.IsZero)
        {
            return a;
        }

        int shift = Precision + 8 + (int)b.Mantissa.GetBitLength() - (int)BigInteger.Abs(a.Mantissa).GetBitLength();
        shift = Math.Max(shift, 0);
        return new WideFloat((a.Mantissa << shift) / b.Mantissa, a.Exponent - shift - b.Exponent).Normalized();
    }

    public static WideFloat operator /(WideFloat a, int k) => a / new WideFloat(k, 0);

    /// <summary>The square root of a non-negative value.</summary>
    public WideFloat SquareRoot()
    {
        if (IsZero)
        {
            return this;
        }

        int shift = (2 * Precision) + 16 - (int)Mantissa.GetBitLength();
        shift = Math.Max(shift, 0);
        if (((Exponent - shift) & 1) != 0)
        {
            shift++;
        }

        BigInteger n = Mantissa << shift;
        BigInteger x = BigInteger.One << (int)((n.GetBitLength() / 2) + 1);
        while (true)
        {
            BigInteger y = (x + (n / x)) >> 1;
            if (y >= x)
            {
                break;
            }

            x = y;
        }

        return new WideFloat(x, (Exponent - shift) / 2).Normalized();
    }

    /// <summary>Whether this term no longer changes a sum of magnitude about 2^<paramref name="top"/>.</summary>
    public bool NegligibleAgainst(long top) => IsZero || Top < top - Precision - 8;

    /// <summary>Rounds to a value of format <paramref name="f"/> (raising precision, underflow, overflow in <paramref name="ctx"/>).</summary>
    public Unpacked Round(FloatFormat f, ref FloatContext ctx)
    {
        if (IsZero)
        {
            return Unpacked.Zero(false);
        }

        BigInteger m = BigInteger.Abs(Mantissa);
        int length = (int)m.GetBitLength();
        UInt128 significand;
        if (length > 128)
        {
            BigInteger rest = m & ((BigInteger.One << (length - 128)) - 1);
            significand = (UInt128)(m >> (length - 128)) | (rest.IsZero ? UInt128.Zero : UInt128.One);
        }
        else
        {
            significand = (UInt128)m << (128 - length);
        }

        long exponent = (long)Exponent + length - 1;
        int clamped = (int)Math.Clamp(exponent, -100_000, 100_000);
        return SoftFloat.Round(IsNegative, clamped, significand, f, ref ctx);
    }

    /// <summary>
    /// The mantissa at exponent <paramref name="common"/>. Bits shifted out leave a sticky unit (a
    /// negative value's arithmetic shift already rounds down), so a negligible term still decides the
    /// direction of the final rounding and that the result is inexact.
    /// </summary>
    private static BigInteger Align(WideFloat v, int common)
    {
        if (v.Exponent >= common)
        {
            return v.Mantissa << (v.Exponent - common);
        }

        BigInteger shifted = v.Mantissa >> (common - v.Exponent);
        return v.Mantissa.Sign > 0 && (shifted << (common - v.Exponent)) != v.Mantissa ? shifted + 1 : shifted;
    }

    /// <summary>Keeps the leading <see cref="Precision"/> + 32 bits.</summary>
    private WideFloat Normalized()
    {
        long length = BigInteger.Abs(Mantissa).GetBitLength();
        int excess = (int)length - Precision - 32;
        return excess > 0 ? new WideFloat(Mantissa >> excess, Exponent + excess) : this;
    }
}
