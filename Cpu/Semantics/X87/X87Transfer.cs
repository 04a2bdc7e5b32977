using Cpu.Semantics.Float;
using Cpu.State;
using Iced.Intel;
using static Cpu.Semantics.X87.X87Fpu;

namespace Cpu.Semantics.X87;

/// <summary>
/// x87 loads and stores (Intel SDM Vol. 2, FLD, FST/FSTP, FILD, FIST/FISTP, FISTTP, FLD1/FLDZ/...):
/// floating-point m32/m64/m80/ST(i) and integer m16/m32/m64 operands, converted exactly on load and
/// rounded by the control word's rounding control on store. An m80 or register copy raises nothing but
/// the stack faults.
/// </summary>
public static class X87Transfer
{
    /// <summary>FLD m32/m64/m80/ST(i).</summary>
    public static void Load(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        Float80 value;
        if (ins.Op0Kind == OpKind.Register)
        {
            int i = StackIndex(ins.Op0Register);
            if (IsEmpty(x, i))
            {
                // Underflow of the source comes first; C1 stays clear even when the push overflows too.
                if (Underflow(x))
                {
                    Push(x, Indefinite);
                    SetC1(x, false);
                }

                return;
            }
            else
            {
                value = Get(x, i);
            }
        }
        else
        {
            ulong address = Operands.EffectiveAddress(cpu, ins);
            int size = Operands.MemorySizeBytes(ins.MemorySize);
            if (size == 10)
            {
                value = new Float80(cpu.Memory.Read64(address), (ushort)Operands.ReadMemory(cpu, address + 8, 2));
            }
            else if (Overflows(x))
            {
                // Stack overflow is detected before the operand is converted (no #D from it).
                value = Indefinite;
            }
            else
            {
                FloatContext ctx = Context(x);
                FloatFormat f = size == 4 ? FloatFormat.Single : FloatFormat.Double;
                Unpacked u = SoftFloat.Convert(SoftFloat.Unpack(Operands.ReadMemory(cpu, address, size), f, ref ctx), FloatFormat.Extended, ref ctx);
                if (ctx.Flags != 0 && Raise(x, ctx.Flags))
                {
                    return;
                }

                value = SoftFloat.PackExtended(u);
            }
        }

        Push(x, value);
    }

    /// <summary>FILD m16/m32/m64: exact.</summary>
    public static void LoadInteger(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        int size = Operands.MemorySizeBytes(ins.MemorySize);
        long v = Operands.SignExtend(Operands.ReadMemory(cpu, Operands.EffectiveAddress(cpu, ins), size), size);
        FloatContext ctx = Context(x);
        Push(x, SoftFloat.PackExtended(SoftFloat.FromInteger(v, FloatFormat.Extended, ref ctx)));
    }

    /// <summary>FLDZ, FLD1 and the constants FLDPI, FLDL2T, FLDL2E, FLDLG2, FLDLN2: the exact constants rounded by RC, no flags (SDM 8.3.8).</summary>
    public static void LoadConstant(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        (int exponent, ulong high, ulong low) = ins.Mnemonic switch
        {
            Mnemonic.Fldz => (0, (ulong)0UL, (ulong)0UL),
            Mnemonic.Fld1 => (0, (ulong)0x8000_0000_0000_0000, (ulong)0UL),
            Mnemonic.Fldpi => (1, (ulong)0xC90F_DAA2_2168_C234, (ulong)0xC4C6_628B_80DC_1CD1),
            Mnemonic.Fldl2t => (1, (ulong)0xD49A_784B_CD1B_8AFE, (ulong)0x492B_F6FF_4DAF_DB4C),
            Mnemonic.Fldl2e => (0, (ulong)0xB8AA_3B29_5C17_F0BB, (ulong)0xBE87_FED0_691D_3E89),
            Mnemonic.Fldlg2 => (-2, (ulong)0x9A20_9A84_FBCF_F798, (ulong)0x8F89_59AC_0B7C_9178),
            _ => (-1, (ulong)0xB172_17F7_D1CF_79AB, (ulong)0xC9E3_B398_03F2_F6AF),
        };
        FloatContext ctx = Context(x);
        Unpacked u = high == 0 ? Unpacked.Zero(false)
            : SoftFloat.Round(false, exponent, ((UInt128)high << 64) | low, FloatFormat.Extended, ref ctx);
        Push(x, SoftFloat.PackExtended(u));
    }

    /// <summary>FST/FSTP m32/m64/m80/ST(i).</summary>
    public static void Store(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        bool pop = ins.Mnemonic == Mnemonic.Fstp;
        Float80 value = Get(x, 0);
        if (IsEmpty(x, 0))
        {
            if (!Underflow(x))
            {
                return;
            }

            value = Indefinite;
        }
        else
        {
            SetC1(x, false);
        }

        if (ins.Op0Kind == OpKind.Register)
        {
            Put(x, StackIndex(ins.Op0Register), value);
        }
        else
        {
            ulong address = Operands.EffectiveAddress(cpu, ins);
            int size = Operands.MemorySizeBytes(ins.MemorySize);
            if (size == 10)
            {
                cpu.Memory.ProbeWrite(address, 10);
                cpu.Memory.Write64(address, value.Significand);
                Operands.WriteMemory(cpu, address + 8, 2, value.SignExponent);
            }
            else
            {
                FloatFormat f = size == 4 ? FloatFormat.Single : FloatFormat.Double;
                FloatContext ctx = Context(x);
                Unpacked u = SoftFloat.Convert(SoftFloat.Unpack(value), f, ref ctx);

                // A store reports no denormal operand (SDM FST: #IA, #U, #O, #P only).
                ctx.Flags &= ~FloatFlags.Denormal;

                // Unmasked overflow or underflow also keep a memory destination (SDM FST, "#O/#U").
                uint unmasked = ctx.Flags & ~(uint)x.Control & (FloatFlags.Overflow | FloatFlags.Underflow);
                if (Raise(x, ctx.Flags) || unmasked != 0)
                {
                    return;
                }

                SetC1(x, ctx.RoundedUp);
                Operands.WriteMemory(cpu, address, size, SoftFloat.Pack(u, f));
            }
        }

        if (pop)
        {
            Pop(x);
        }
    }

    /// <summary>FIST/FISTP (rounded by RC) and FISTTP (truncated) to m16/m32/m64; invalid stores the integer indefinite when masked.</summary>
    public static void StoreInteger(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        ulong address = Operands.EffectiveAddress(cpu, ins);
        int size = Operands.MemorySizeBytes(ins.MemorySize);
        long result;
        if (IsEmpty(x, 0))
        {
            if (!Underflow(x))
            {
                return;
            }

            result = long.MinValue >> (64 - (size * 8));
        }
        else
        {
            FloatContext ctx = Context(x);
            result = SoftFloat.ToInteger(SoftFloat.Unpack(Get(x, 0)), size * 8, ins.Mnemonic == Mnemonic.Fisttp, ref ctx);
            if (Raise(x, ctx.Flags))
            {
                return;
            }

            SetC1(x, ctx.RoundedUp);
        }

        Operands.WriteMemory(cpu, address, size, (ulong)result);
        if (ins.Mnemonic != Mnemonic.Fist)
        {
            Pop(x);
        }
    }
}
