using Cpu.State;
using Cpu.System;
using Iced.Intel;
using static Cpu.State.GprIndex;

namespace Cpu.Semantics;

/// <summary>Stack forms: PUSH, POP, PUSHF/POPF, ENTER/LEAVE, PUSHA/POPA (through <see cref="Stack"/>).</summary>
public static class StackForms
{
    public static void Pushf(Processor cpu, ref Instruction ins) =>
        Stack.Push(cpu, cpu.State.Rflags & ~(Rflag.VM | Rflag.RF), -ins.StackPointerIncrement);

    public static void Push(Processor cpu, ref Instruction ins)
    {
        int size = -ins.StackPointerIncrement;
        ulong v;
        if (ins.Op0Kind == OpKind.Register && ins.Op0Register.IsSegmentRegister())
        {
            // Recent Intel processors write only the 16-bit selector (SDM PUSH).
            CpuState s = cpu.State;
            ulong rsp = Stack.Adjust(cpu, s.Gpr[Rsp], -size);
            Operands.WriteMemory(cpu, Stack.Linear(cpu, Stack.Offset(cpu, rsp)), 2, Operands.ReadRegister(s, ins.Op0Register));
            s.Gpr[Rsp] = rsp;
            return;
        }

        v = Operands.ReadOperand(cpu, ins, 0);
        Stack.Push(cpu, v, size);
    }

    public static void Pop(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        int size = ins.StackPointerIncrement;
        if (ins.Op0Kind == OpKind.Register)
        {
            Register dest = ins.Op0Register;
            if (dest.IsSegmentRegister())
            {
                ulong selector = Stack.Peek(cpu, size, 0);
                int seg = Operands.RegisterNumber(dest);
                SystemInstructions.LoadSegment(cpu, seg, (ushort)selector);
                s.Gpr[Rsp] = Stack.Adjust(cpu, s.Gpr[Rsp], size);
                if (seg == SegmentIndex.Ss)
                {
                    cpu.SetStackLoadShadow();
                }

                cpu.EndBlock();
                return;
            }

            ulong v = Stack.Peek(cpu, size, 0);
            s.Gpr[Rsp] = Stack.Adjust(cpu, s.Gpr[Rsp], size);
            Operands.WriteRegister(s, dest, v);
            return;
        }

        {
            // POP to memory: an RSP-based address is computed after RSP is incremented (SDM POP).
            ulong v = Stack.Peek(cpu, size, 0);
            ulong oldRsp = s.Gpr[Rsp];
            s.Gpr[Rsp] = Stack.Adjust(cpu, oldRsp, size);
            try
            {
                Operands.WriteOperand(cpu, ins, 0, v);
            }
            catch
            {
                s.Gpr[Rsp] = oldRsp;
                throw;
            }
        }
    }

    public static void Popf(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        int size = ins.StackPointerIncrement;
        ulong v = Stack.Peek(cpu, size, 0);
        ulong changeable = Rflag.Arithmetic | Rflag.TF | Rflag.DF | Rflag.NT | Rflag.AC | Rflag.ID;
        bool protectedMode = (s.Cr0 & 1) != 0;
        int cpl = protectedMode ? s.Cpl : 0;
        if (cpl == 0)
        {
            changeable |= Rflag.Iopl | Rflag.IF;
        }
        else if (cpl <= s.Iopl)
        {
            changeable |= Rflag.IF;
        }

        if (size == 2)
        {
            changeable &= 0xFFFF;
        }

        ulong old = s.Rflags;
        s.Gpr[Rsp] = Stack.Adjust(cpu, s.Gpr[Rsp], size);
        s.Rflags = (old & ~changeable & ~Rflag.RF) | (v & changeable);
        cpu.Memory.AlignmentCheck = (s.FlagBits & Rflag.AC) != 0;
        cpu.EndBlock();
    }

    public static void Leave(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        int size = ins.Code == Code.Leaveq ? 8 : ins.Code == Code.Leaved ? 4 : 2;

        // RSP <- RBP (by stack address size), then pop RBP.
        ulong rsp = Stack.StackAddressSize(cpu) switch
        {
            8 => s.Gpr[Rbp],
            4 => (uint)s.Gpr[Rbp],
            _ => (s.Gpr[Rsp] & ~0xFFFFUL) | (ushort)s.Gpr[Rbp],
        };
        ulong v = Operands.ReadMemory(cpu, Stack.Linear(cpu, Stack.Offset(cpu, rsp)), size);
        s.Gpr[Rsp] = Stack.Adjust(cpu, rsp, size);
        Operands.WriteRegister(s, size == 8 ? Register.RBP : size == 4 ? Register.EBP : Register.BP, v);
    }

    public static void Enter(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        int opSize = ins.Code == Code.Enterq_imm16_imm8 ? 8 : ins.Code == Code.Enterd_imm16_imm8 ? 4 : 2;
        ulong allocation = ins.Immediate16;
        int level = ins.Immediate8_2nd & 31;

        // Build the frame in temporaries and commit only after every access succeeded.
        ulong rsp = Stack.Adjust(cpu, s.Gpr[Rsp], -opSize);
        Operands.WriteMemory(cpu, Stack.Linear(cpu, Stack.Offset(cpu, rsp)), opSize, s.Gpr[Rbp]);
        ulong frame = rsp;
        ulong rbp = s.Gpr[Rbp];
        if (level > 0)
        {
            for (int i = 1; i < level; i++)
            {
                rbp = Stack.Adjust(cpu, rbp, -opSize);
                ulong v = Operands.ReadMemory(cpu, Stack.Linear(cpu, Stack.Offset(cpu, rbp)), opSize);
                rsp = Stack.Adjust(cpu, rsp, -opSize);
                Operands.WriteMemory(cpu, Stack.Linear(cpu, Stack.Offset(cpu, rsp)), opSize, v);
            }

            rsp = Stack.Adjust(cpu, rsp, -opSize);
            Operands.WriteMemory(cpu, Stack.Linear(cpu, Stack.Offset(cpu, rsp)), opSize, frame);
        }

        ulong finalRsp = Stack.Adjust(cpu, rsp, -(long)allocation);
        Operands.WriteRegister(s, opSize == 8 ? Register.RBP : opSize == 4 ? Register.EBP : Register.BP, frame);
        s.Gpr[Rsp] = finalRsp;
    }

    public static void Pusha(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        int size = ins.Mnemonic == Mnemonic.Pushad ? 4 : 2;
        ulong original = s.Gpr[Rsp];
        ulong rsp = original;
        for (int r = 0; r < 8; r++)
        {
            rsp = Stack.Adjust(cpu, rsp, -size);
            ulong v = r == Rsp ? original : s.Gpr[r];
            Operands.WriteMemory(cpu, Stack.Linear(cpu, Stack.Offset(cpu, rsp)), size, v);
        }

        s.Gpr[Rsp] = rsp;
    }

    public static void Popa(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        int size = ins.Mnemonic == Mnemonic.Popad ? 4 : 2;
        Span<ulong> values = stackalloc ulong[8];
        ulong rsp = s.Gpr[Rsp];
        for (int r = 7; r >= 0; r--)
        {
            values[r] = Operands.ReadMemory(cpu, Stack.Linear(cpu, Stack.Offset(cpu, rsp)), size);
            rsp = Stack.Adjust(cpu, rsp, size);
        }

        for (int r = 0; r < 8; r++)
        {
            if (r != Rsp)
            {
                s.Gpr[r] = size == 4 ? (uint)values[r] : (s.Gpr[r] & ~0xFFFFUL) | (ushort)values[r];
            }
        }

        s.Gpr[Rsp] = rsp;
    }
}
