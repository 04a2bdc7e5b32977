using Cpu.Semantics.Float;
using Cpu.State;
using Iced.Intel;
using static Cpu.Semantics.X87.X87Fpu;

namespace Cpu.Semantics.X87;

/// <summary>
/// FSIN, FCOS, FSINCOS and FPTAN (Intel SDM Vol. 2): the function of ST(0) in radians, evaluated by
/// <see cref="Transcendental"/> (exact argument reduction) and rounded once at 64 bits by the rounding
/// control (the precision control does not apply, SDM 8.1.5.2), C1 telling a round-up. An operand of
/// magnitude 2^63 or more is out of range: C2 set and nothing else changes. An infinity is invalid (the
/// indefinite). FSINCOS leaves the cosine in ST(0) and the sine in ST(1); FPTAN pushes 1.0 after the tangent.
/// </summary>
public static class X87Trigonometry
{
    private static readonly Float80 One = new(1UL << 63, Float80.ExponentBias);

    public static void Sine(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        if (!TryOperand(x, out Unpacked a))
        {
            return;
        }

        FloatContext ctx = Context(x);
        Unpacked r = Special(a, ref ctx) is { } s ? s
            : a.Kind == FloatKind.Zero ? a
            : Transcendental.SinCos(WideFloat.FromUnpacked(a)).Sin.Round(FloatFormat.Extended, ref ctx);
        Finish(x, r, ref ctx);
    }

    public static void Cosine(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        if (!TryOperand(x, out Unpacked a))
        {
            return;
        }

        FloatContext ctx = Context(x);
        Unpacked r = Special(a, ref ctx) is { } s ? s
            : a.Kind == FloatKind.Zero ? SoftFloat.Unpack(One)
            : Transcendental.SinCos(WideFloat.FromUnpacked(a)).Cos.Round(FloatFormat.Extended, ref ctx);
        Finish(x, r, ref ctx);
    }

    public static void SineCosine(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        x.Status &= unchecked((ushort)~C2);
        if (ReplaceAndPushFaults(x) || !InRange(x, SoftFloat.Unpack(Get(x, 0))))
        {
            return;
        }

        Unpacked a = SoftFloat.Unpack(Get(x, 0));
        FloatContext ctx = Context(x);
        Unpacked sin, cos;
        if (Special(a, ref ctx) is { } s)
        {
            (sin, cos) = (s, s);
        }
        else if (a.Kind == FloatKind.Zero)
        {
            (sin, cos) = (a, SoftFloat.Unpack(One));
        }
        else
        {
            (WideFloat ws, WideFloat wc) = Transcendental.SinCos(WideFloat.FromUnpacked(a));
            sin = ws.Round(FloatFormat.Extended, ref ctx);
            bool sinUp = ctx.RoundedUp;
            cos = wc.Round(FloatFormat.Extended, ref ctx);

            // C1 reports the sine's rounding (as the host does).
            ctx.RoundedUp = sinUp;
        }

        PushBoth(x, sin, cos, ref ctx);
    }

    public static void Tangent(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        x.Status &= unchecked((ushort)~C2);
        if (ReplaceAndPushFaults(x) || !InRange(x, SoftFloat.Unpack(Get(x, 0))))
        {
            return;
        }

        Unpacked a = SoftFloat.Unpack(Get(x, 0));
        FloatContext ctx = Context(x);
        Unpacked tan, one = SoftFloat.Unpack(One);
        if (Special(a, ref ctx) is { } s)
        {
            (tan, one) = (s, s);
        }
        else if (a.Kind == FloatKind.Zero)
        {
            tan = a;
        }
        else
        {
            (WideFloat ws, WideFloat wc) = Transcendental.SinCos(WideFloat.FromUnpacked(a));
            tan = (ws / wc).Round(FloatFormat.Extended, ref ctx);
        }

        PushBoth(x, tan, one, ref ctx);
    }

    /// <summary>ST(0) for a one-result function: false when it is empty (handled) or out of range.</summary>
    private static bool TryOperand(X87State x, out Unpacked a)
    {
        a = default;
        if (IsEmpty(x, 0))
        {
            x.Status &= unchecked((ushort)~C2);
            if (Underflow(x))
            {
                Put(x, 0, Indefinite);
            }

            return false;
        }

        a = SoftFloat.Unpack(Get(x, 0));
        return InRange(x, a);
    }

    /// <summary>|a| &lt; 2^63 (or not finite); otherwise sets C2 (SDM: the operand must be reduced first).</summary>
    private static bool InRange(X87State x, Unpacked a)
    {
        if (a.Kind == FloatKind.Finite && a.Exponent >= 63)
        {
            SetConditionCodes(x, (ushort)((x.Status & (C0 | C3)) | C2));
            return false;
        }

        return true;
    }

    /// <summary>The result for a NaN or infinite operand (null for the others, after noting a denormal one).</summary>
    private static Unpacked? Special(Unpacked a, ref FloatContext ctx)
    {
        switch (a.Kind)
        {
            case FloatKind.SignalingNaN:
                ctx.Flags |= FloatFlags.Invalid;
                return a.Quieted();
            case FloatKind.QuietNaN:
                return a;
            case FloatKind.Infinity:
                ctx.Flags |= FloatFlags.Invalid;
                return Unpacked.DefaultNaN;
            default:
                if (a.WasDenormal)
                {
                    ctx.Flags |= FloatFlags.Denormal;
                }

                return null;
        }
    }

    private static void Finish(X87State x, Unpacked r, ref FloatContext ctx)
    {
        if (Raise(x, ctx.Flags))
        {
            return;
        }

        x.Status &= unchecked((ushort)~C2);
        SetC1(x, ctx.RoundedUp);
        Put(x, 0, SoftFloat.PackExtended(r));
    }

    /// <summary>ST(0) becomes <paramref name="replaced"/>, then <paramref name="pushed"/> is pushed (the stack was checked).</summary>
    private static void PushBoth(X87State x, Unpacked replaced, Unpacked pushed, ref FloatContext ctx)
    {
        if (Raise(x, ctx.Flags))
        {
            return;
        }

        x.Status &= unchecked((ushort)~C2);
        Put(x, 0, SoftFloat.PackExtended(replaced));
        x.Top--;
        x.Set(x.Top, SoftFloat.PackExtended(pushed));
        SetC1(x, ctx.RoundedUp);
    }
}
