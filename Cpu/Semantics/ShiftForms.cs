using Cpu.State;
using Iced.Intel;

namespace Cpu.Semantics;

/// <summary>Shift and rotate forms: fetch the operand and count, call <see cref="Shifts"/>, write back.</summary>
public static class ShiftForms
{
    public static void Shift(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        ulong count = ins.OpCount > 1 ? Operands.ReadOperand(cpu, ins, 1) : 1;
        Mnemonic m = ins.Mnemonic;
        if (ins.Op0Kind == OpKind.Register)
        {
            Register dest = ins.Op0Register;
            int size = Operands.RegisterSize(dest);
            ulong a = Operands.ReadRegister(s, dest);
            ulong r = ShiftOp(s, m, a, count, size);
            Operands.WriteRegister(s, dest, r);
            return;
        }

        {
            int size = Operands.MemorySizeBytes(ins.MemorySize);
            ulong ea = Operands.EffectiveAddress(cpu, ins);
            ulong a = Operands.ReadMemory(cpu, ea, size);
            cpu.Memory.ProbeWrite(ea, size);
            Operands.WriteMemory(cpu, ea, size, ShiftOp(s, m, a, count, size));
        }
    }

    private static ulong ShiftOp(CpuState s, Mnemonic m, ulong a, ulong count, int size) => m switch
    {
        Mnemonic.Shl or Mnemonic.Sal => Shifts.Shl(s, a, count, size),
        Mnemonic.Shr => Shifts.Shr(s, a, count, size),
        Mnemonic.Sar => Shifts.Sar(s, a, count, size),
        Mnemonic.Rol => Shifts.Rol(s, a, count, size),
        Mnemonic.Ror => Shifts.Ror(s, a, count, size),
        Mnemonic.Rcl => Shifts.Rcl(s, a, count, size),
        _ => Shifts.Rcr(s, a, count, size),
    };

    public static void DoubleShift(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        int size = Operands.OperandSize(ins, 0);
        ulong b = Operands.ReadRegister(s, ins.Op1Register);
        ulong count = Operands.ReadOperand(cpu, ins, 2);
        bool left = ins.Mnemonic == Mnemonic.Shld;
        if (ins.Op0Kind == OpKind.Register)
        {
            ulong a = Operands.ReadRegister(s, ins.Op0Register);
            Operands.WriteRegister(s, ins.Op0Register, left ? Shifts.Shld(s, a, b, count, size) : Shifts.Shrd(s, a, b, count, size));
            return;
        }

        ulong ea = Operands.EffectiveAddress(cpu, ins);
        ulong v = Operands.ReadMemory(cpu, ea, size);
        cpu.Memory.ProbeWrite(ea, size);
        Operands.WriteMemory(cpu, ea, size, left ? Shifts.Shld(s, v, b, count, size) : Shifts.Shrd(s, v, b, count, size));
    }
}
