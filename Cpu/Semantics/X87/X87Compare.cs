using Cpu.Semantics.Float;
using Cpu.State;
using Iced.Intel;
using static Cpu.Semantics.X87.X87Fpu;

namespace Cpu.Semantics.X87;

/// <summary>
/// x87 comparisons (Intel SDM Vol. 2, FCOM/FCOMP/FCOMPP, FUCOM/FUCOMP/FUCOMPP, FICOM/FICOMP, FTST,
/// FCOMI/FCOMIP/FUCOMI/FUCOMIP, FXAM) into C3/C2/C0 or ZF/PF/CF, and FCMOVcc. The ordered forms signal
/// invalid on any NaN, the unordered (FU-) forms only on an SNaN.
/// </summary>
public static class X87Compare
{
    public static void Compare(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        Mnemonic m = ins.Mnemonic;
        bool toEflags = m is Mnemonic.Fcomi or Mnemonic.Fcomip or Mnemonic.Fucomi or Mnemonic.Fucomip;
        bool unordered = m is Mnemonic.Fucom or Mnemonic.Fucomp or Mnemonic.Fucompp or Mnemonic.Fucomi or Mnemonic.Fucomip;
        int pops = m is Mnemonic.Fcompp or Mnemonic.Fucompp ? 2 : m is Mnemonic.Fcomp or Mnemonic.Fucomp or Mnemonic.Ficomp or Mnemonic.Fcomip or Mnemonic.Fucomip ? 1 : 0;
        FloatOrder order;
        if (IsEmpty(x, 0) || (ins.OpCount > 0 && ins.Op0Kind != OpKind.Memory && IsEmpty(x, Second(ins))) || (ins.OpCount == 0 && m != Mnemonic.Ftst && IsEmpty(x, 1)))
        {
            if (!Underflow(x))
            {
                return;
            }

            order = FloatOrder.Unordered;
        }
        else
        {
            Unpacked a = SoftFloat.Unpack(Get(x, 0));
            Unpacked b = m == Mnemonic.Ftst ? Unpacked.Zero(false)
                : ins.OpCount > 0 && ins.Op0Kind == OpKind.Memory ? X87Operand.Memory(cpu, ins, x)
                : SoftFloat.Unpack(Get(x, ins.OpCount == 0 ? 1 : Second(ins)));
            FloatContext ctx = Context(x);
            order = SoftFloat.Compare(a, b, !unordered, ref ctx);
            if (Raise(x, ctx.Flags))
            {
                return;
            }

            if (!toEflags)
            {
                // The host keeps C1 in FCOMI/FUCOMI (the SDM says cleared): follow the processor.
                SetC1(x, false);
            }
        }

        if (toEflags)
        {
            ulong flags = order switch
            {
                FloatOrder.Unordered => Rflag.ZF | Rflag.PF | Rflag.CF,
                FloatOrder.Less => Rflag.CF,
                FloatOrder.Equal => Rflag.ZF,
                _ => 0,
            };
            cpu.State.SetFlags(Rflag.Arithmetic, flags);
        }
        else
        {
            SetConditionCodes(x, (ushort)((x.Status & C1) | order switch
            {
                FloatOrder.Unordered => C3 | C2 | C0,
                FloatOrder.Less => C0,
                FloatOrder.Equal => C3,
                _ => 0,
            }));
        }

        for (int i = 0; i < pops; i++)
        {
            Pop(x);
        }
    }

    /// <summary>FXAM: the class of ST(0) in C3/C2/C0 and its sign in C1; an empty register is a class, not a fault.</summary>
    public static void Examine(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        Float80 v = Get(x, 0);
        ushort codes;
        if (IsEmpty(x, 0))
        {
            codes = C3 | C0;
        }
        else
        {
            codes = SoftFloat.Unpack(v) switch
            {
                { Kind: FloatKind.Zero } => C3,
                { Kind: FloatKind.Infinity } => C2 | C0,
                { Kind: FloatKind.QuietNaN or FloatKind.SignalingNaN } when v.Exponent == Float80.MaxExponent && (v.Significand >> 63) != 0 => C0,
                { Kind: FloatKind.QuietNaN or FloatKind.SignalingNaN } => 0,
                { WasDenormal: true } => C3 | C2,
                _ => C2,
            };
        }

        SetConditionCodes(x, (ushort)(codes | (v.Sign ? C1 : 0)));
    }

    /// <summary>FCMOVcc ST(0), ST(i) on CF, ZF and PF (SDM FCMOVcc).</summary>
    public static void Move(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        ulong f = cpu.State.Rflags;
        bool cf = (f & Rflag.CF) != 0, zf = (f & Rflag.ZF) != 0, pf = (f & Rflag.PF) != 0;
        bool condition = ins.Mnemonic switch
        {
            Mnemonic.Fcmovb => cf,
            Mnemonic.Fcmove => zf,
            Mnemonic.Fcmovbe => cf || zf,
            Mnemonic.Fcmovu => pf,
            Mnemonic.Fcmovnb => !cf,
            Mnemonic.Fcmovne => !zf,
            Mnemonic.Fcmovnbe => !cf && !zf,
            _ => !pf,
        };
        int i = Second(ins);
        if (IsEmpty(x, 0) || IsEmpty(x, i))
        {
            if (Underflow(x))
            {
                Put(x, 0, Indefinite);
            }

            return;
        }

        // C1 is kept when nothing underflows (as the host does).
        if (condition)
        {
            Put(x, 0, Get(x, i));
        }
    }

    /// <summary>The ST(i) operand of a register form: the only operand, or the second.</summary>
    private static int Second(in Instruction ins) => StackIndex(ins.OpCount > 1 ? ins.Op1Register : ins.Op0Register);
}
