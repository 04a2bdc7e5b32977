using Cpu.Semantics.Float;
using Cpu.State;
using Iced.Intel;
using static Cpu.Semantics.X87.X87Fpu;

namespace Cpu.Semantics.X87;

/// <summary>
/// FPREM and FPREM1 (Intel SDM Vol. 2): the exact remainder of ST(0) by ST(1), the quotient truncated
/// (FPREM) or rounded to nearest-even (FPREM1). Exponents more than 63 apart give a partial remainder
/// (C2 set, the other condition codes clear) reduced by ST(1) * 2^(D-N) with N = 32 + (D - 64) mod 32,
/// the N the host processors use; a complete one reports the quotient's low bits in C0 (Q2), C3 (Q1) and
/// C1 (Q0). The remainder is always representable: no precision or rounding control applies.
/// </summary>
public static class X87Remainder
{
    public static void Partial(Processor cpu, ref Instruction ins) => Remainder(cpu, ins, nearest: false);

    public static void Ieee(Processor cpu, ref Instruction ins) => Remainder(cpu, ins, nearest: true);

    private static void Remainder(Processor cpu, in Instruction ins, bool nearest)
    {
        X87State x = Begin(cpu, ins);
        if (IsEmpty(x, 0) || IsEmpty(x, 1))
        {
            // Stack underflow clears C1 and C2; C0 and C3 keep their values (as on the host).
            x.Status &= unchecked((ushort)~C2);
            if (Underflow(x))
            {
                Put(x, 0, Indefinite);
            }

            return;
        }

        Unpacked a = SoftFloat.Unpack(Get(x, 0));
        Unpacked b = SoftFloat.Unpack(Get(x, 1));
        FloatContext ctx = Context(x);
        // A NaN or invalid result keeps C0 and C3 and clears C1 and C2 (as on the host).
        ushort codes = (ushort)(x.Status & (C0 | C3));
        if (!X87Operand.TryNaN(a, b, ref ctx, out Unpacked result))
        {
            if (a.WasDenormal || b.WasDenormal)
            {
                ctx.Flags |= FloatFlags.Denormal;
            }

            if (a.Kind == FloatKind.Infinity || b.Kind == FloatKind.Zero)
            {
                ctx.Flags |= FloatFlags.Invalid;
                result = Unpacked.DefaultNaN;
            }
            else if (a.Kind == FloatKind.Zero || b.Kind == FloatKind.Infinity)
            {
                result = a;
                codes = 0;
            }
            else
            {
                result = Finite(a, b, nearest, ref ctx, out codes);
            }
        }

        if (Raise(x, ctx.Flags))
        {
            return;
        }

        SetConditionCodes(x, codes);
        Put(x, 0, SoftFloat.PackExtended(result));
    }

    /// <summary>The remainder of two finite non-zero values, and the condition codes it reports.</summary>
    private static Unpacked Finite(Unpacked a, Unpacked b, bool nearest, ref FloatContext ctx, out ushort codes)
    {
        int d = a.Exponent - b.Exponent;
        codes = 0;
        if (d < -1 || (d == -1 && !nearest))
        {
            return a;
        }

        UInt128 remainder;
        bool sign = a.Sign;
        int scale = b.Exponent - 63;
        if (d >= 64)
        {
            // Partial: the quotient truncated at N bits, the remainder scaled by 2^(D-N).
            int n = 32 + ((d - 64) % 32);
            remainder = ((UInt128)a.Significand << n) % b.Significand;
            scale += d - n;
            codes = C2;
        }
        else
        {
            UInt128 dividend = d < 0 ? a.Significand : (UInt128)a.Significand << d;
            UInt128 divisor = d < 0 ? (UInt128)b.Significand << 1 : b.Significand;
            if (d < 0)
            {
                scale--;
            }

            ulong quotient = (ulong)(dividend / divisor);
            remainder = dividend % divisor;
            if (nearest && (remainder * 2 > divisor || (remainder * 2 == divisor && (quotient & 1) != 0)))
            {
                quotient++;
                remainder = divisor - remainder;
                sign = !sign;
            }

            codes = (ushort)(((quotient & 4) != 0 ? C0 : 0) | ((quotient & 2) != 0 ? C3 : 0) | ((quotient & 1) != 0 ? C1 : 0));
        }

        if (remainder == 0)
        {
            return Unpacked.Zero(a.Sign);
        }

        int lead = 127 - (int)UInt128.LeadingZeroCount(remainder);
        return SoftFloat.Round(sign, scale + lead, remainder << (127 - lead), FloatFormat.Extended, ref ctx);
    }
}
