using Cpu.State;
using Cpu.System;
using Iced.Intel;
using static Cpu.State.GprIndex;

namespace Cpu.Semantics;

/// <summary>Near control transfers (JMP, CALL, RET, Jcc, LOOP/JCXZ); far forms go to the system instructions.</summary>
public static class Branches
{
    public static void Ret(Processor cpu, ref Instruction ins)
    {
        // StackPointerIncrement is the operand size plus RET imm16's release count.
        CpuState s = cpu.State;
        int increment = ins.StackPointerIncrement;
        int size = ins.OpCount == 1 ? increment - ins.Immediate16 : increment;
        ulong target = Stack.Peek(cpu, size, 0);
        s.Gpr[Rsp] = Stack.Adjust(cpu, s.Gpr[Rsp], increment);
        s.Rip = target;
    }

    public static void ConditionalJump(Processor cpu, ref Instruction ins)
    {
        if (Conditions.Evaluate(cpu.State, ins.ConditionCode))
        {
            cpu.State.Rip = ins.NearBranchTarget;
        }
    }

    public static void SetCondition(Processor cpu, ref Instruction ins) =>
        Operands.WriteOperand(cpu, ins, 0, Conditions.Evaluate(cpu.State, ins.ConditionCode) ? 1UL : 0UL);

    public static void ConditionalMove(Processor cpu, ref Instruction ins)
    {
        // The source is read (and may fault) whatever the condition; a 32-bit destination is
        // zero-extended even when the move does not happen.
        CpuState s = cpu.State;
        ulong v = Operands.ReadOperand(cpu, ins, 1);
        Register dest = ins.Op0Register;
        Operands.WriteRegister(s, dest, Conditions.Evaluate(s, ins.ConditionCode) ? v : Operands.ReadRegister(s, dest));
    }

    public static void Jmp(Processor cpu, ref Instruction ins)
    {
        switch (ins.Op0Kind)
        {
            case OpKind.NearBranch16:
            case OpKind.NearBranch32:
            case OpKind.NearBranch64:
                cpu.State.Rip = ins.NearBranchTarget;
                return;
            case OpKind.FarBranch16:
            case OpKind.FarBranch32:
                SystemInstructions.Execute(cpu, ins);
                cpu.EndBlock();
                return;
        }

        if (ins.IsJmpFarIndirect)
        {
            SystemInstructions.Execute(cpu, ins);
            cpu.EndBlock();
            return;
        }

        cpu.State.Rip = Operands.ReadOperand(cpu, ins, 0);
    }

    public static void Call(Processor cpu, ref Instruction ins)
    {
        ulong target;
        switch (ins.Op0Kind)
        {
            case OpKind.NearBranch16:
            case OpKind.NearBranch32:
            case OpKind.NearBranch64:
                target = ins.NearBranchTarget;
                break;
            case OpKind.FarBranch16:
            case OpKind.FarBranch32:
                SystemInstructions.Execute(cpu, ins);
                cpu.EndBlock();
                return;
            default:
                if (ins.IsCallFarIndirect)
                {
                    SystemInstructions.Execute(cpu, ins);
                    cpu.EndBlock();
                    return;
                }

                target = Operands.ReadOperand(cpu, ins, 0);
                break;
        }

        int size = -ins.StackPointerIncrement;
        Stack.Push(cpu, ins.NextIP & Operands.SizeMask(size), size);
        cpu.State.Rip = target;
    }

    public static void CounterBranch(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        int counterSize = CounterSize(ins.Code);
        ulong mask = Operands.SizeMask(counterSize);
        Mnemonic m = ins.Mnemonic;
        bool taken;
        if (m is Mnemonic.Jcxz or Mnemonic.Jecxz or Mnemonic.Jrcxz)
        {
            taken = (s.Gpr[Rcx] & mask) == 0;
        }
        else
        {
            ulong c = ((s.Gpr[Rcx] & mask) - 1) & mask;
            s.Gpr[Rcx] = counterSize switch
            {
                8 => c,
                4 => c,
                _ => (s.Gpr[Rcx] & ~0xFFFFUL) | c,
            };
            taken = c != 0 && (m == Mnemonic.Loop || (m == Mnemonic.Loope ? s.ZF : !s.ZF));
        }

        if (taken)
        {
            s.Rip = ins.NearBranchTarget;
        }
    }

    private static byte[] BuildCounterSizes()
    {
        var sizes = new byte[Enum.GetValues<Code>().Length + 1];
        foreach (Code c in Enum.GetValues<Code>())
        {
            string name = c.ToString();
            sizes[(int)c] = name.EndsWith("_RCX", StringComparison.Ordinal) || name.StartsWith("Jrcxz", StringComparison.Ordinal) ? (byte)8
                : name.EndsWith("_ECX", StringComparison.Ordinal) || name.StartsWith("Jecxz", StringComparison.Ordinal) ? (byte)4
                : (byte)2;
        }

        return sizes;
    }

    private static readonly byte[] CounterSizes = BuildCounterSizes();

    private static int CounterSize(Code code) => CounterSizes[(int)code];
}
