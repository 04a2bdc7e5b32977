using Cpu.Semantics.Float;
using Cpu.State;
using Iced.Intel;
using static Cpu.Semantics.X87.X87Fpu;

namespace Cpu.Semantics.X87;

/// <summary>
/// F2XM1, FYL2X, FYL2XP1 and FPATAN (Intel SDM Vol. 2, each with its table of special operands),
/// evaluated by <see cref="Transcendental"/> and rounded once at 64 bits by the rounding control (the
/// precision control does not apply, SDM 8.1.5.2), C1 telling a round-up. The two-operand forms write
/// ST(1) and pop. Operands outside F2XM1's [-1, 1] or FYL2XP1's |x| &lt; 1 - sqrt(2)/2 give undefined
/// results by the SDM; these compute the function where it exists.
/// </summary>
public static class X87Logarithm
{
    public static void Exp2Minus1(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        if (IsEmpty(x, 0))
        {
            if (Underflow(x))
            {
                Put(x, 0, Indefinite);
            }

            return;
        }

        Unpacked a = SoftFloat.Unpack(Get(x, 0));
        FloatContext ctx = Context(x);
        Unpacked r;
        if (a.IsNaN)
        {
            ctx.Flags |= a.Kind == FloatKind.SignalingNaN ? FloatFlags.Invalid : 0;
            r = a.Quieted();
        }
        else if (a.Kind == FloatKind.Infinity)
        {
            r = a.Sign ? SoftFloat.Unpack(new Float80(1UL << 63, 0xBFFF)) : a;
        }
        else if (a.Kind == FloatKind.Zero)
        {
            r = a;
        }
        else
        {
            ctx.Flags |= a.WasDenormal ? FloatFlags.Denormal : 0;

            // Far outside [-1, 1] the series would not end: 2^x - 1 is then -1 or overflows. At +-1 the
            // host reports an inexact result just below the exact one (1 rounded up, -1/2 rounded down): so does emu.
            bool one = a.Exponent == 0 && a.Significand == 1UL << 63;
            WideFloat v = one ? (a.Sign ? new WideFloat(-1, -1) : WideFloat.One) - new WideFloat(1, -300)
                : a.Exponent < 8 ? Transcendental.Exp2Minus1(WideFloat.FromUnpacked(a))
                : a.Sign ? WideFloat.One.Negated() : new WideFloat(1, 1 << 20);
            r = v.Round(FloatFormat.Extended, ref ctx);
        }

        if (Raise(x, ctx.Flags))
        {
            return;
        }

        SetC1(x, ctx.RoundedUp);
        Put(x, 0, SoftFloat.PackExtended(r));
    }

    /// <summary>FYL2X: ST(1) * log2 ST(0).</summary>
    public static void YLog2X(Processor cpu, ref Instruction ins) => Binary(cpu, ins, YLog2X);

    /// <summary>FYL2XP1: ST(1) * log2(ST(0) + 1).</summary>
    public static void YLog2XPlus1(Processor cpu, ref Instruction ins) => Binary(cpu, ins, YLog2XPlus1);

    /// <summary>FPATAN: the angle of (ST(0), ST(1)), that is atan(ST(1) / ST(0)) in its quadrant.</summary>
    public static void ArcTangent(Processor cpu, ref Instruction ins) => Binary(cpu, ins, ArcTangent);

    private delegate Unpacked Function(Unpacked a, Unpacked b, ref FloatContext ctx);

    private static Unpacked Invalid(ref FloatContext ctx)
    {
        ctx.Flags |= FloatFlags.Invalid;
        return Unpacked.DefaultNaN;
    }

    /// <summary>log2 0 is -infinity: divide-by-zero when multiplied by a finite ST(1).</summary>
    private static Unpacked DivideByZero(bool sign, bool raise, ref FloatContext ctx)
    {
        ctx.Flags |= raise ? FloatFlags.DivideByZero : 0;
        return Unpacked.Infinity(sign);
    }

    /// <summary>The frame of the ST(1)-writing forms: stack checks, NaNs, denormals, result and pop.</summary>
    private static void Binary(Processor cpu, in Instruction ins, Function function)
    {
        X87State x = Begin(cpu, ins);
        Unpacked result;
        FloatContext ctx = Context(x);
        if (IsEmpty(x, 0) || IsEmpty(x, 1))
        {
            if (!Underflow(x))
            {
                return;
            }

            result = SoftFloat.Unpack(Indefinite);
        }
        else
        {
            Unpacked a = SoftFloat.Unpack(Get(x, 0));
            Unpacked b = SoftFloat.Unpack(Get(x, 1));
            if (!X87Operand.TryNaN(a, b, ref ctx, out result))
            {
                if (a.WasDenormal || b.WasDenormal)
                {
                    ctx.Flags |= FloatFlags.Denormal;
                }

                result = function(a, b, ref ctx);
            }

            if (Raise(x, ctx.Flags))
            {
                return;
            }

            SetC1(x, ctx.RoundedUp);
        }

        Put(x, 1, SoftFloat.PackExtended(result));
        Pop(x);
    }

    private static Unpacked YLog2X(Unpacked a, Unpacked b, ref FloatContext ctx)
    {
        bool below1 = a.Exponent < 0;
        bool one = a.Kind == FloatKind.Finite && a.Exponent == 0 && a.Significand == 1UL << 63 && !a.Sign;
        if (a.Sign && a.Kind != FloatKind.Zero)
        {
            return Invalid(ref ctx);
        }

        if (a.Kind == FloatKind.Zero)
        {
            return b.Kind == FloatKind.Zero ? Invalid(ref ctx)
                : DivideByZero(!b.Sign, b.Kind == FloatKind.Finite, ref ctx);
        }

        if (a.Kind == FloatKind.Infinity)
        {
            return b.Kind == FloatKind.Zero ? Invalid(ref ctx) : Unpacked.Infinity(b.Sign);
        }

        if (one)
        {
            return b.Kind == FloatKind.Infinity ? Invalid(ref ctx) : Unpacked.Zero(b.Sign);
        }

        if (b.Kind is FloatKind.Infinity or FloatKind.Zero)
        {
            return b with { Sign = b.Sign ^ below1 };
        }

        Unpacked r = (WideFloat.FromUnpacked(b) * Transcendental.Log2(WideFloat.FromUnpacked(a))).Round(FloatFormat.Extended, ref ctx);
        return r;
    }

    private static Unpacked YLog2XPlus1(Unpacked a, Unpacked b, ref FloatContext ctx)
    {
        if (a.Kind == FloatKind.Zero)
        {
            return b.Kind == FloatKind.Infinity ? Invalid(ref ctx) : Unpacked.Zero(a.Sign ^ b.Sign);
        }

        if (a.Kind == FloatKind.Infinity || (a.Sign && a.Exponent >= 0))
        {
            // ST(0) + 1 is not positive (or the operand is far out of range).
            return Invalid(ref ctx);
        }

        if (b.Kind is FloatKind.Infinity or FloatKind.Zero)
        {
            return b with { Sign = b.Sign ^ a.Sign };
        }

        Unpacked r = (WideFloat.FromUnpacked(b) * Transcendental.Log2OnePlus(WideFloat.FromUnpacked(a))).Round(FloatFormat.Extended, ref ctx);
        return r;
    }

    /// <summary>atan2(y = ST(1), x = ST(0)) with the signed zeros and infinities of its table.</summary>
    private static Unpacked ArcTangent(Unpacked a, Unpacked b, ref FloatContext ctx)
    {
        bool negative = b.Sign;
        WideFloat angle;
        if (b.Kind == FloatKind.Zero && (a.Kind == FloatKind.Zero || a.Kind != FloatKind.Infinity))
        {
            if (!a.Sign)
            {
                return b;
            }

            angle = Transcendental.Pi;
        }
        else if (b.Kind == FloatKind.Infinity)
        {
            angle = a.Kind != FloatKind.Infinity ? Transcendental.HalfPi
                : a.Sign ? Transcendental.HalfPi + (Transcendental.HalfPi / 2) : Transcendental.HalfPi / 2;
        }
        else if (a.Kind == FloatKind.Infinity)
        {
            if (!a.Sign)
            {
                return Unpacked.Zero(negative);
            }

            angle = Transcendental.Pi;
        }
        else
        {
            angle = Transcendental.Atan2(WideFloat.FromUnpacked(b), WideFloat.FromUnpacked(a)).Abs();
        }

        Unpacked r = (negative ? angle.Negated() : angle).Round(FloatFormat.Extended, ref ctx);
        return r;
    }
}
