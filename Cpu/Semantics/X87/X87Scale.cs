using Cpu.Semantics.Float;
using Cpu.State;
using Iced.Intel;
using static Cpu.Semantics.X87.X87Fpu;

namespace Cpu.Semantics.X87;

/// <summary>
/// FSCALE (Intel SDM Vol. 2): ST(0) scaled by 2 to the truncated ST(1), rounded once at 64 bits (the
/// precision control does not apply), and FXTRACT, its inverse.
/// </summary>
public static class X87Scale
{
    /// <summary>Shifts beyond this already overflow or underflow any extended value.</summary>
    private const long ScaleLimit = 1 << 17;

    public static void Scale(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        if (IsEmpty(x, 0) || IsEmpty(x, 1))
        {
            if (Underflow(x))
            {
                Put(x, 0, Indefinite);
            }

            return;
        }

        Unpacked a = SoftFloat.Unpack(Get(x, 0));
        Unpacked b = SoftFloat.Unpack(Get(x, 1));
        FloatContext ctx = Context(x);
        if (!X87Operand.TryNaN(a, b, ref ctx, out Unpacked result))
        {
            result = Scaled(a, b, FloatFormat.Extended, ref ctx);
            if ((ctx.Flags & ~(uint)x.Control & (FloatFlags.Overflow | FloatFlags.Underflow)) != 0)
            {
                var wide = new FloatContext(ctx.Rounding);
                Unpacked unbounded = Scaled(a, b, FloatFormat.Extended with { ExponentBits = UnboundedExponentBits }, ref wide);
                result = WrapExponent(unbounded, wide, ref ctx);
            }
        }

        if (Raise(x, ctx.Flags))
        {
            return;
        }

        SetC1(x, ctx.RoundedUp);
        Put(x, 0, SoftFloat.PackExtended(result));
    }

    private static Unpacked Scaled(Unpacked a, Unpacked b, FloatFormat format, ref FloatContext ctx)
    {
        if (a.WasDenormal || b.WasDenormal)
        {
            ctx.Flags |= FloatFlags.Denormal;
        }

        if (b.Kind == FloatKind.Infinity)
        {
            bool invalid = b.Sign ? a.Kind == FloatKind.Infinity : a.Kind == FloatKind.Zero;
            if (invalid)
            {
                ctx.Flags |= FloatFlags.Invalid;
                return Unpacked.DefaultNaN;
            }

            return a.Kind == FloatKind.Zero || a.Kind == FloatKind.Infinity ? a : b.Sign ? Unpacked.Zero(a.Sign) : Unpacked.Infinity(a.Sign);
        }

        if (a.Kind != FloatKind.Finite)
        {
            return a;
        }

        long n = b.Kind == FloatKind.Zero ? 0 : b.Exponent >= 20 ? ScaleLimit : (long)(b.Significand >> (63 - b.Exponent));
        if (b.Exponent < 0)
        {
            n = 0;
        }

        n = Math.Min(n, ScaleLimit);
        return SoftFloat.Round(a.Sign, a.Exponent + (int)(b.Sign ? -n : n), (UInt128)a.Significand << 64, format, ref ctx);
    }

    /// <summary>
    /// FXTRACT: ST(0) becomes its unbiased exponent and the significand (exponent 0, same sign) is pushed.
    /// A zero gives -infinity and raises divide-by-zero, an infinity +infinity. Stack underflow (C1
    /// clear) is checked before overflow (C1 set); either, masked, leaves the indefinite in both registers.
    /// </summary>
    public static void Extract(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        if (ReplaceAndPushFaults(x))
        {
            return;
        }

        Unpacked a = SoftFloat.Unpack(Get(x, 0));
        FloatContext ctx = Context(x);
        (Unpacked exponent, Unpacked significand) = a.Kind switch
        {
            FloatKind.QuietNaN or FloatKind.SignalingNaN => (a.Quieted(), a.Quieted()),
            FloatKind.Zero => (Unpacked.Infinity(true), a),
            FloatKind.Infinity => (Unpacked.Infinity(false), a),
            _ => (SoftFloat.FromInteger(a.Exponent, FloatFormat.Extended, ref ctx), a with { Exponent = 0, WasDenormal = false }),
        };
        ctx.Flags |= a.Kind switch
        {
            FloatKind.SignalingNaN => FloatFlags.Invalid,
            FloatKind.Zero => FloatFlags.DivideByZero,
            _ => a.WasDenormal ? FloatFlags.Denormal : 0,
        };
        if (Raise(x, ctx.Flags))
        {
            return;
        }

        Put(x, 0, SoftFloat.PackExtended(exponent));
        Push(x, SoftFloat.PackExtended(significand));
    }
}
