using System.Runtime.CompilerServices;
using Cpu.State;
using Iced.Intel;

namespace Cpu.Semantics;

/// <summary>The integer ALU forms: fetch operands, call <see cref="Alu"/> or <see cref="MulDiv"/>, write back.</summary>
public static class IntegerArithmetic
{
    public static void Mul(Processor cpu, ref Instruction ins) =>
        MulDiv.Mul(cpu.State, Operands.ReadOperand(cpu, ins, 0), Operands.OperandSize(ins, 0));

    public static void Div(Processor cpu, ref Instruction ins) =>
        MulDiv.Div(cpu.State, Operands.ReadOperand(cpu, ins, 0), Operands.OperandSize(ins, 0));

    public static void Idiv(Processor cpu, ref Instruction ins) =>
        MulDiv.Idiv(cpu.State, Operands.ReadOperand(cpu, ins, 0), Operands.OperandSize(ins, 0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Compute(CpuState s, Mnemonic m, ulong a, ulong b, int size) => m switch
    {
        Mnemonic.Add => Alu.Add(s, a, b, size),
        Mnemonic.Or => Alu.Or(s, a, b, size),
        Mnemonic.Adc => Alu.Adc(s, a, b, size),
        Mnemonic.Sbb => Alu.Sbb(s, a, b, size),
        Mnemonic.And or Mnemonic.Test => Alu.And(s, a, b, size),
        Mnemonic.Sub or Mnemonic.Cmp => Alu.Sub(s, a, b, size),
        _ => Alu.Xor(s, a, b, size),
    };

    public static void Binary(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        Mnemonic m = ins.Mnemonic;
        bool writes = m != Mnemonic.Cmp && m != Mnemonic.Test;
        ulong b = Operands.ReadOperand(cpu, ins, 1);
        if (ins.Op0Kind == OpKind.Register)
        {
            Register dest = ins.Op0Register;
            int size = Operands.RegisterSize(dest);
            ulong r = Compute(s, m, Operands.ReadRegister(s, dest), b, size);
            if (writes)
            {
                Operands.WriteRegister(s, dest, r);
            }

            return;
        }

        {
            int size = Operands.MemorySizeBytes(ins.MemorySize);
            ulong ea = Operands.EffectiveAddress(cpu, ins);
            ulong a = Operands.ReadMemory(cpu, ea, size);
            if (writes)
            {
                cpu.Memory.ProbeWrite(ea, size);
            }

            ulong r = Compute(s, m, a, b, size);
            if (writes)
            {
                Operands.WriteMemory(cpu, ea, size, r);
            }
        }
    }

    public static void Unary(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        Mnemonic m = ins.Mnemonic;
        if (ins.Op0Kind == OpKind.Register)
        {
            Register dest = ins.Op0Register;
            int size = Operands.RegisterSize(dest);
            ulong a = Operands.ReadRegister(s, dest);
            Operands.WriteRegister(s, dest, UnaryOp(s, m, a, size));
            return;
        }

        {
            int size = Operands.MemorySizeBytes(ins.MemorySize);
            ulong ea = Operands.EffectiveAddress(cpu, ins);
            ulong a = Operands.ReadMemory(cpu, ea, size);
            cpu.Memory.ProbeWrite(ea, size);
            Operands.WriteMemory(cpu, ea, size, UnaryOp(s, m, a, size));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong UnaryOp(CpuState s, Mnemonic m, ulong a, int size) => m switch
    {
        Mnemonic.Inc => Alu.Inc(s, a, size),
        Mnemonic.Dec => Alu.Dec(s, a, size),
        Mnemonic.Neg => Alu.Neg(s, a, size),
        _ => Alu.Not(a, size),
    };

    public static void Imul(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        switch (ins.OpCount)
        {
            case 1:
                MulDiv.Imul1(s, Operands.ReadOperand(cpu, ins, 0), Operands.OperandSize(ins, 0));
                break;
            case 2:
                {
                    int size = Operands.RegisterSize(ins.Op0Register);
                    ulong r = MulDiv.Imul(s, Operands.ReadRegister(s, ins.Op0Register), Operands.ReadOperand(cpu, ins, 1), size);
                    Operands.WriteRegister(s, ins.Op0Register, r);
                    break;
                }

            default:
                {
                    int size = Operands.RegisterSize(ins.Op0Register);
                    ulong r = MulDiv.Imul(s, Operands.ReadOperand(cpu, ins, 1), Operands.ReadOperand(cpu, ins, 2), size);
                    Operands.WriteRegister(s, ins.Op0Register, r);
                    break;
                }
        }
    }

    public static void Xadd(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        Register src = ins.Op1Register;
        int size = Operands.RegisterSize(src);
        ulong b = Operands.ReadRegister(s, src);
        if (ins.Op0Kind == OpKind.Register)
        {
            ulong a = Operands.ReadRegister(s, ins.Op0Register);
            ulong r = Alu.Add(s, a, b, size);
            Operands.WriteRegister(s, src, a);
            Operands.WriteRegister(s, ins.Op0Register, r);
            return;
        }

        ulong ea = Operands.EffectiveAddress(cpu, ins);
        ulong old = Operands.ReadMemory(cpu, ea, size);
        cpu.Memory.ProbeWrite(ea, size);
        ulong sum = Alu.Add(s, old, b, size);
        Operands.WriteMemory(cpu, ea, size, sum);
        Operands.WriteRegister(s, src, old);
    }
}
