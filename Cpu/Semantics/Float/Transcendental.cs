using System.Numerics;

namespace Cpu.Semantics.Float;

/// <summary>
/// The elementary functions the x87 computes (Intel SDM Vol. 2, F2XM1, FYL2X, FYL2XP1, FSIN, FCOS, FPTAN,
/// FPATAN), as <see cref="WideFloat"/> values of about 200 bits by their Taylor series on reduced
/// arguments. The trigonometric argument reduction is exact (by pi/2 to 400 bits), so the result is
/// the true function value however large the (at most 2^63) argument.
/// </summary>
public static class Transcendental
{
    private const int ConstantBits = 400;

    /// <summary>pi/2 * 2^400, rounded down.</summary>
    private static readonly BigInteger HalfPiScaled = ComputePi(ConstantBits + 8) >> 9;

    public static readonly WideFloat HalfPi = new(HalfPiScaled, -ConstantBits);

    public static readonly WideFloat Pi = new(HalfPiScaled, 1 - ConstantBits);

    public static readonly WideFloat Ln2 = Atanh(new WideFloat(1, 0) / 3) * new WideFloat(2, 0);

    /// <summary>2^x - 1.</summary>
    public static WideFloat Exp2Minus1(WideFloat x) => ExpMinus1(x * Ln2);

    /// <summary>log2(x) for x &gt; 0.</summary>
    public static WideFloat Log2(WideFloat x)
    {
        // x = m * 2^e with m in [sqrt(1/2), sqrt(2)): log2 x = e + ln(m) / ln 2.
        long e = x.Top;
        var m = new WideFloat(x.Mantissa, (int)(x.Exponent - e));
        if (m.Mantissa.IsPowerOfTwo)
        {
            return WideFloat.FromInteger(e);
        }

        if (m.Top == 0 && m.Mantissa > (BigInteger.One << ((int)m.Mantissa.GetBitLength() - 1)) * 1_414_213_562 / 1_000_000_000)
        {
            e++;
            m = new WideFloat(m.Mantissa, m.Exponent - 1);
        }

        return WideFloat.FromInteger(e) + (Ln(m) / Ln2);
    }

    /// <summary>log2(1 + x) for x &gt; -1, accurate for small x.</summary>
    public static WideFloat Log2OnePlus(WideFloat x) => x.Top < -1 ? Log1p(x) / Ln2 : Log2(WideFloat.One + x);

    /// <summary>atan(y / x) in (-pi, pi] by the quadrant of (x, y), both finite and not both zero.</summary>
    public static WideFloat Atan2(WideFloat y, WideFloat x)
    {
        if (x.IsZero)
        {
            return y.IsNegative ? HalfPi.Negated() : HalfPi;
        }

        if (y.IsZero)
        {
            return x.IsNegative ? (y.IsNegative ? Pi.Negated() : Pi) : y;
        }

        WideFloat ax = x.Abs(), ay = y.Abs();
        WideFloat angle = !(ay - ax).IsNegative
            ? HalfPi - Atan(ax / ay)
            : Atan(ay / ax);
        if (x.IsNegative)
        {
            angle = Pi - angle;
        }

        return y.IsNegative ? angle.Negated() : angle;
    }

    /// <summary>sin x and cos x for |x| &lt; 2^63.</summary>
    public static (WideFloat Sin, WideFloat Cos) SinCos(WideFloat x)
    {
        (WideFloat r, int quadrant) = Reduce(x);
        WideFloat s = Sin(r), c = Cos(r);
        return quadrant switch
        {
            0 => (s, c),
            1 => (c, s.Negated()),
            2 => (s.Negated(), c.Negated()),
            _ => (c.Negated(), s),
        };
    }

    /// <summary>x - q * pi/2 with q the nearest integer to x / (pi/2), and q mod 4.</summary>
    private static (WideFloat R, int Quadrant) Reduce(WideFloat x)
    {
        if (x.Top < -2)
        {
            return (x, 0);
        }

        BigInteger scaled = x.Exponent + ConstantBits >= 0 ? x.Mantissa << (x.Exponent + ConstantBits) : x.Mantissa >> -(x.Exponent + ConstantBits);
        BigInteger q = BigInteger.Divide(scaled + (scaled.Sign < 0 ? -(HalfPiScaled >> 1) : HalfPiScaled >> 1), HalfPiScaled);
        BigInteger r = scaled - (q * HalfPiScaled);
        return (new WideFloat(r, -ConstantBits), (int)(q & 3));
    }

    private static WideFloat Sin(WideFloat r)
    {
        WideFloat r2 = r * r, term = r, sum = r;
        for (int k = 1; ; k++)
        {
            term = (term * r2 / ((2 * k) * ((2 * k) + 1))).Negated();
            if (term.NegligibleAgainst(sum.Top))
            {
                return sum + term;
            }

            sum += term;
        }
    }

    private static WideFloat Cos(WideFloat r)
    {
        WideFloat r2 = r * r, term = WideFloat.One, sum = WideFloat.One;
        for (int k = 1; ; k++)
        {
            term = (term * r2 / (((2 * k) - 1) * (2 * k))).Negated();
            if (term.NegligibleAgainst(sum.Top))
            {
                return sum + term;
            }

            sum += term;
        }
    }

    /// <summary>atan t for t in [0, 1]: halved twice (atan t = 2 atan(t / (1 + sqrt(1 + t^2)))) so the series converges fast.</summary>
    private static WideFloat Atan(WideFloat t)
    {
        for (int i = 0; i < 2; i++)
        {
            t /= WideFloat.One + (WideFloat.One + (t * t)).SquareRoot();
        }

        WideFloat t2 = t * t, power = t, sum = t;
        for (int k = 1; ; k++)
        {
            power = (power * t2).Negated();
            WideFloat term = power / ((2 * k) + 1);
            if (term.NegligibleAgainst(sum.Top))
            {
                return (sum + term) * new WideFloat(4, 0);
            }

            sum += term;
        }
    }

    /// <summary>e^y - 1 for |y| &lt; 1, by its series (exact in relative terms for small y).</summary>
    private static WideFloat ExpMinus1(WideFloat y)
    {
        WideFloat term = y, sum = y;
        for (int k = 2; ; k++)
        {
            term = term * y / k;
            if (term.NegligibleAgainst(sum.Top))
            {
                return sum + term;
            }

            sum += term;
        }
    }

    /// <summary>ln m for m near 1: 2 atanh((m - 1) / (m + 1)).</summary>
    private static WideFloat Ln(WideFloat m) => Atanh((m - WideFloat.One) / (m + WideFloat.One)) * new WideFloat(2, 0);

    /// <summary>ln(1 + x) = 2 atanh(x / (2 + x)).</summary>
    private static WideFloat Log1p(WideFloat x) => Atanh(x / (new WideFloat(2, 0) + x)) * new WideFloat(2, 0);

    private static WideFloat Atanh(WideFloat s)
    {
        WideFloat s2 = s * s, power = s, sum = s;
        for (int k = 1; ; k++)
        {
            power *= s2;
            WideFloat term = power / ((2 * k) + 1);
            if (term.NegligibleAgainst(sum.Top))
            {
                return sum + term;
            }

            sum += term;
        }
    }

    /// <summary>pi * 2^bits by Machin's formula, 16 atan(1/5) - 4 atan(1/239), in integers.</summary>
    private static BigInteger ComputePi(int bits)
    {
        BigInteger one = BigInteger.One << (bits + 16);
        BigInteger pi = (16 * ArctanInverse(5, one)) - (4 * ArctanInverse(239, one));
        return pi >> 16;
    }

    private static BigInteger ArctanInverse(int n, BigInteger one)
    {
        BigInteger power = one / n, sum = power, n2 = n * n;
        for (int k = 1; !power.IsZero; k++)
        {
            power /= n2;
            BigInteger term = power / ((2 * k) + 1);
            sum += (k & 1) != 0 ? -term : term;
        }

        return sum;
    }
}
