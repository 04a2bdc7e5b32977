namespace Cpu.Semantics.Float;

/// <summary>
/// Addition, subtraction, multiplication, division and square root, exact then rounded once. NaN
/// operands propagate by the SSE rule (SDM Vol. 1, Table 4-7): the first source if it is a NaN,
/// otherwise the second, made quiet; an SNaN operand raises invalid. Invalid operations return the
/// default NaN. The denormal-operand flag is raised only when no operand is a NaN (it ranks below them,
/// SDM 4.9.2).
/// </summary>
public static partial class SoftFloat
{
    public static Unpacked Add(Unpacked a, Unpacked b, FloatFormat f, ref FloatContext ctx) => AddSigned(a, b, false, f, ref ctx);

    public static Unpacked Subtract(Unpacked a, Unpacked b, FloatFormat f, ref FloatContext ctx) => AddSigned(a, b, true, f, ref ctx);

    public static Unpacked Multiply(Unpacked a, Unpacked b, FloatFormat f, ref FloatContext ctx)
    {
        if (TryNaN(a, b, ref ctx, out Unpacked nan))
        {
            return nan;
        }

        bool sign = a.Sign ^ b.Sign;
        if (a.Kind == FloatKind.Infinity || b.Kind == FloatKind.Infinity)
        {
            return a.Kind == FloatKind.Zero || b.Kind == FloatKind.Zero ? Invalid(ref ctx) : Unpacked.Infinity(sign);
        }

        if (a.Kind == FloatKind.Zero || b.Kind == FloatKind.Zero)
        {
            return Unpacked.Zero(sign);
        }

        UInt128 product = (UInt128)a.Significand * b.Significand;
        int exponent = a.Exponent + b.Exponent;
        if (product >> 127 == 0)
        {
            product <<= 1;
        }
        else
        {
            exponent++;
        }

        return Round(sign, exponent, product, f, ref ctx);
    }

    public static Unpacked Divide(Unpacked a, Unpacked b, FloatFormat f, ref FloatContext ctx)
    {
        if (TryNaN(a, b, ref ctx, out Unpacked nan))
        {
            return nan;
        }

        bool sign = a.Sign ^ b.Sign;
        if (a.Kind == FloatKind.Infinity)
        {
            return b.Kind == FloatKind.Infinity ? Invalid(ref ctx) : Unpacked.Infinity(sign);
        }

        if (b.Kind == FloatKind.Infinity)
        {
            return Unpacked.Zero(sign);
        }

        if (b.Kind == FloatKind.Zero)
        {
            if (a.Kind == FloatKind.Zero)
            {
                return Invalid(ref ctx);
            }

            ctx.Flags |= FloatFlags.DivideByZero;
            return Unpacked.Infinity(sign);
        }

        if (a.Kind == FloatKind.Zero)
        {
            return Unpacked.Zero(sign);
        }

        // Two steps of 128/64-bit division give a quotient with its leading bit at 127 and a sticky remainder.
        int exponent = a.Exponent - b.Exponent;
        UInt128 numerator = (UInt128)a.Significand << 64;
        if (a.Significand < b.Significand)
        {
            exponent--;
        }
        else
        {
            numerator >>= 1;
        }

        UInt128 high = numerator / b.Significand;
        UInt128 remainder = numerator % b.Significand;
        UInt128 low = (remainder << 64) / b.Significand;
        remainder = (remainder << 64) % b.Significand;
        UInt128 quotient = (high << 64) | low;
        return Round(sign, exponent, quotient | (remainder != 0 ? UInt128.One : UInt128.Zero), f, ref ctx);
    }

    public static Unpacked SquareRoot(Unpacked a, FloatFormat f, ref FloatContext ctx)
    {
        if (a.IsNaN)
        {
            return Propagate(a, ref ctx);
        }

        if (a.Kind == FloatKind.Zero)
        {
            return a;
        }

        if (a.Sign)
        {
            // The square root of a negative denormal is invalid only: the host reports no denormal operand.
            return Invalid(ref ctx);
        }

        if (a.Kind == FloatKind.Infinity)
        {
            return a;
        }

        NoteDenormal(a, ref ctx);

        // value = S * 2^(e-63) = R * 2^(2 * scale), R = S * 2^63 or S * 2^64 so that the scale is whole;
        // R is in [2^126, 2^128), so its root has its leading bit at 63.
        int e = a.Exponent;
        bool odd = (e & 1) != 0;
        UInt128 radicand = (UInt128)a.Significand << (odd ? 64 : 63);
        int scale = odd ? (e - 127) / 2 : (e / 2) - 63;
        (ulong root, UInt128 rest) = IntegerSquareRoot(radicand);

        // The true root exceeds root + 1/2 exactly when rest > root (it is never exactly halfway).
        UInt128 bits = ((UInt128)root << 64) | (rest > root ? (UInt128.One << 63) | 1 : rest != 0 ? UInt128.One : UInt128.Zero);
        return Round(false, 63 + scale, bits, f, ref ctx);
    }

    private static Unpacked AddSigned(Unpacked a, Unpacked b, bool subtract, FloatFormat f, ref FloatContext ctx)
    {
        if (TryNaN(a, b, ref ctx, out Unpacked nan))
        {
            return nan;
        }

        bool bSign = b.Sign ^ subtract;
        if (a.Kind == FloatKind.Infinity)
        {
            return b.Kind == FloatKind.Infinity && a.Sign != bSign ? Invalid(ref ctx) : a;
        }

        if (b.Kind == FloatKind.Infinity)
        {
            return Unpacked.Infinity(bSign);
        }

        if (a.Kind == FloatKind.Zero && b.Kind == FloatKind.Zero)
        {
            return Unpacked.Zero(a.Sign == bSign ? a.Sign : ctx.Rounding == RoundingMode.Down);
        }

        if (a.Kind == FloatKind.Zero)
        {
            return Round(bSign, b.Exponent, (UInt128)b.Significand << 64, f, ref ctx);
        }

        if (b.Kind == FloatKind.Zero)
        {
            return Round(a.Sign, a.Exponent, (UInt128)a.Significand << 64, f, ref ctx);
        }

        // Both finite: align the smaller below the larger, with one bit of headroom for a carry and the
        // bits shifted out folded into a sticky bit (63 guard bits keep the subtraction exact enough).
        bool aSign = a.Sign;
        int ea = a.Exponent, eb = b.Exponent;
        UInt128 x = (UInt128)a.Significand << 63, y = (UInt128)b.Significand << 63;
        if (ea < eb || (ea == eb && x < y))
        {
            (x, y) = (y, x);
            (ea, eb) = (eb, ea);
            (aSign, bSign) = (bSign, aSign);
        }

        y = ShiftRightSticky(y, ea - eb);
        UInt128 sum;
        if (aSign == bSign)
        {
            sum = x + y;
        }
        else
        {
            sum = x - y;
            if (sum == 0)
            {
                return Unpacked.Zero(ctx.Rounding == RoundingMode.Down);
            }
        }

        int shift = (int)UInt128.LeadingZeroCount(sum);
        return Round(aSign, ea + 1 - shift, sum << shift, f, ref ctx);
    }

    private static UInt128 ShiftRightSticky(UInt128 value, int shift)
    {
        if (shift == 0)
        {
            return value;
        }

        if (shift >= 127)
        {
            return value != 0 ? UInt128.One : UInt128.Zero;
        }

        UInt128 lost = value & ((UInt128.One << shift) - 1);
        return (value >> shift) | (lost != 0 ? UInt128.One : UInt128.Zero);
    }

    /// <summary>Floor of the square root of a 128-bit value, and the remainder.</summary>
    private static (ulong Root, UInt128 Remainder) IntegerSquareRoot(UInt128 n)
    {
        UInt128 root = 0;
        UInt128 rest = n;
        UInt128 bit = UInt128.One << 126;
        while (bit != 0)
        {
            if (rest >= root + bit)
            {
                rest -= root + bit;
                root = (root >> 1) + bit;
            }
            else
            {
                root >>= 1;
            }

            bit >>= 2;
        }

        return ((ulong)root, rest);
    }

    /// <summary>When an operand is a NaN, the propagated NaN; otherwise records denormal operands and returns false.</summary>
    private static bool TryNaN(Unpacked a, Unpacked b, ref FloatContext ctx, out Unpacked result)
    {
        if (a.IsNaN || b.IsNaN)
        {
            if (a.Kind == FloatKind.SignalingNaN || b.Kind == FloatKind.SignalingNaN)
            {
                ctx.Flags |= FloatFlags.Invalid;
            }

            result = a.IsNaN ? a.Quieted() : b.Quieted();
            return true;
        }

        NoteDenormal(a, ref ctx);
        NoteDenormal(b, ref ctx);
        result = default;
        return false;
    }

    private static Unpacked Propagate(Unpacked nan, ref FloatContext ctx)
    {
        if (nan.Kind == FloatKind.SignalingNaN)
        {
            ctx.Flags |= FloatFlags.Invalid;
        }

        return nan.Quieted();
    }

    private static void NoteDenormal(Unpacked a, ref FloatContext ctx)
    {
        if (a.WasDenormal)
        {
            ctx.Flags |= FloatFlags.Denormal;
        }
    }

    private static Unpacked Invalid(ref FloatContext ctx)
    {
        ctx.Flags |= FloatFlags.Invalid;
        return Unpacked.DefaultNaN;
    }
}
