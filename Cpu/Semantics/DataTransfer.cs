using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Semantics;

/// <summary>Moves and exchanges between registers, memory and ports (MOV, MOVZX/MOVSX, LEA, XCHG, BSWAP, MOVBE, XLAT, IN, OUT).</summary>
public static class DataTransfer
{
    public static void Nop(Processor cpu, ref Instruction ins)
    {
    }

    public static void MoveZeroExtend(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, Operands.ReadOperand(cpu, ins, 1));

    public static void MoveSignExtend(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, (ulong)Operands.SignExtend(Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 1)) & Operands.SizeMask(Operands.RegisterSize(ins.Op0Register)));

    public static void Lea(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, Operands.EffectiveOffset(cpu.State, ins));

    public static void Bswap(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        Operands.WriteRegister(s, ins.Op0Register, BitOps.Bswap(Operands.ReadRegister(s, ins.Op0Register), Operands.RegisterSize(ins.Op0Register)));
    }

    public static void Movbe(Processor cpu, ref Instruction ins)
    {
        int size = Operands.OperandSize(ins, 0);
        ulong v = Operands.ReadOperand(cpu, ins, 1);
        v = size == 2 ? (ulong)global::System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)v) : BitOps.Bswap(v, size);
        Operands.WriteOperand(cpu, ins, 0, v);
    }

    public static void Xlat(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, Register.AL, Operands.ReadOperand(cpu, ins, 0));

    public static void In(Processor cpu, ref Instruction ins)
    {
        ushort port = (ushort)Operands.ReadOperand(cpu, ins, 1);
        Operands.WriteRegister(cpu.State, ins.Op0Register, SystemInstructions.PortIn(cpu, port, Operands.RegisterSize(ins.Op0Register)));
    }

    public static void Out(Processor cpu, ref Instruction ins)
    {
        ushort port = (ushort)Operands.ReadOperand(cpu, ins, 0);
        SystemInstructions.PortOut(cpu, port, Operands.RegisterSize(ins.Op1Register), (uint)Operands.ReadRegister(cpu.State, ins.Op1Register));
    }

    public static void Mov(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        if (ins.Op0Kind == OpKind.Register)
        {
            Register dest = ins.Op0Register;
            if (dest.IsSegmentRegister())
            {
                ushort selector = (ushort)Operands.ReadOperand(cpu, ins, 1);
                int seg = Operands.RegisterNumber(dest);
                if (seg == SegmentIndex.Cs)
                {
                    throw CpuException.InvalidOpcode();
                }

                SystemInstructions.LoadSegment(cpu, seg, selector);
                if (seg == SegmentIndex.Ss)
                {
                    cpu.SetStackLoadShadow();
                }

                cpu.EndBlock();
                return;
            }

            if (ins.Op1Kind == OpKind.Register && !ins.Op1Register.IsGPR() && !ins.Op1Register.IsSegmentRegister())
            {
                SystemInstructions.Execute(cpu, ins);
                cpu.EndBlock();
                return;
            }

            if (!dest.IsGPR())
            {
                SystemInstructions.Execute(cpu, ins);
                cpu.EndBlock();
                return;
            }

            Operands.WriteRegister(s, dest, Operands.ReadOperand(cpu, ins, 1));
            return;
        }

        Operands.WriteOperand(cpu, ins, 0, Operands.ReadOperand(cpu, ins, 1));
    }

    public static void Xchg(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        if (ins.Op0Kind == OpKind.Register && ins.Op1Kind == OpKind.Register)
        {
            ulong a = Operands.ReadRegister(s, ins.Op0Register);
            ulong b = Operands.ReadRegister(s, ins.Op1Register);
            Operands.WriteRegister(s, ins.Op0Register, b);
            Operands.WriteRegister(s, ins.Op1Register, a);
            return;
        }

        int memOp = ins.Op0Kind == OpKind.Memory ? 0 : 1;
        Register reg = memOp == 0 ? ins.Op1Register : ins.Op0Register;
        int size = Operands.RegisterSize(reg);
        ulong ea = Operands.EffectiveAddress(cpu, ins);
        ulong m = Operands.ReadMemory(cpu, ea, size);
        Operands.WriteMemory(cpu, ea, size, Operands.ReadRegister(s, reg));
        Operands.WriteRegister(s, reg, m);
    }
}
