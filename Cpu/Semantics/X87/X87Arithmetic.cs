using Cpu.Semantics.Float;
using Cpu.State;
using Iced.Intel;
using static Cpu.Semantics.X87.X87Fpu;

namespace Cpu.Semantics.X87;

/// <summary>
/// x87 arithmetic (Intel SDM Vol. 2, FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR and their P and I forms, FCHS,
/// FABS, FSQRT, FRNDINT) through <see cref="SoftFloat"/>, rounded once to the precision and rounding control of
/// the control word, C1 telling whether the result was rounded up. An unmasked invalid, denormal or
/// divide-by-zero keeps the destination; an unmasked overflow or underflow writes the exponent-wrapped
/// value of SDM 8.5.4-8.5.5.
/// </summary>
public static class X87Arithmetic
{
    public static void Binary(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        bool pop = ins.Mnemonic is Mnemonic.Faddp or Mnemonic.Fsubp or Mnemonic.Fsubrp or Mnemonic.Fmulp or Mnemonic.Fdivp or Mnemonic.Fdivrp;
        Unpacked result;
        if (!X87Operand.Fetch(cpu, ins, x, out int destination, out Unpacked a, out Unpacked b, out bool masked))
        {
            if (!masked)
            {
                return;
            }

            Put(x, destination, Indefinite);
        }
        else
        {
            FloatContext ctx = Context(x);
            if (ins.Mnemonic is Mnemonic.Fsubr or Mnemonic.Fsubrp or Mnemonic.Fisubr or Mnemonic.Fdivr or Mnemonic.Fdivrp or Mnemonic.Fidivr)
            {
                (a, b) = (b, a);
            }

            if (!X87Operand.TryNaN(a, b, ref ctx, out result))
            {
                FloatFormat f = Precision(x);
                result = Operate(ins, a, b, f, ref ctx);
                if ((ctx.Flags & ~(uint)x.Control & (FloatFlags.Overflow | FloatFlags.Underflow)) != 0)
                {
                    result = Wrapped(ins, a, b, f, ref ctx);
                }
            }

            if (Raise(x, ctx.Flags))
            {
                return;
            }

            SetC1(x, ctx.RoundedUp);
            Put(x, destination, SoftFloat.PackExtended(result));
        }

        if (pop)
        {
            Pop(x);
        }
    }

    private static Unpacked Operate(in Instruction ins, Unpacked a, Unpacked b, FloatFormat f, ref FloatContext ctx) => ins.Mnemonic switch
    {
        Mnemonic.Fadd or Mnemonic.Faddp or Mnemonic.Fiadd => SoftFloat.Add(a, b, f, ref ctx),
        Mnemonic.Fsub or Mnemonic.Fsubp or Mnemonic.Fisub or Mnemonic.Fsubr or Mnemonic.Fsubrp or Mnemonic.Fisubr => SoftFloat.Subtract(a, b, f, ref ctx),
        Mnemonic.Fmul or Mnemonic.Fmulp or Mnemonic.Fimul => SoftFloat.Multiply(a, b, f, ref ctx),
        _ => SoftFloat.Divide(a, b, f, ref ctx),
    };

    /// <summary>The result of an unmasked overflow or underflow (<see cref="X87Fpu.WrapExponent"/>).</summary>
    private static Unpacked Wrapped(in Instruction ins, Unpacked a, Unpacked b, FloatFormat f, ref FloatContext ctx)
    {
        var wide = new FloatContext(ctx.Rounding);
        Unpacked r = Operate(ins, a, b, f with { ExponentBits = UnboundedExponentBits }, ref wide);
        return WrapExponent(r, wide, ref ctx);
    }

    /// <summary>FCHS, FABS, FSQRT and FRNDINT (by the rounding control, whatever the precision control) on ST(0).</summary>
    public static void Unary(Processor cpu, ref Instruction ins)
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

        Float80 v = Get(x, 0);
        switch (ins.Mnemonic)
        {
            case Mnemonic.Fchs:
                v = v with { SignExponent = (ushort)(v.SignExponent ^ 0x8000) };
                SetC1(x, false);
                break;
            case Mnemonic.Fabs:
                v = v with { SignExponent = (ushort)(v.SignExponent & 0x7FFF) };
                SetC1(x, false);
                break;
            default:
                {
                    FloatContext ctx = Context(x);
                    Unpacked r = ins.Mnemonic == Mnemonic.Frndint
                        ? SoftFloat.RoundToIntegral(SoftFloat.Unpack(v), ref ctx)
                        : SoftFloat.SquareRoot(SoftFloat.Unpack(v), Precision(x), ref ctx);
                    if (Raise(x, ctx.Flags))
                    {
                        return;
                    }

                    SetC1(x, ctx.RoundedUp);
                    v = SoftFloat.PackExtended(r);
                    break;
                }
        }

        Put(x, 0, v);
    }
}
