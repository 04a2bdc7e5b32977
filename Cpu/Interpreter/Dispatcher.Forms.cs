using System.Runtime.CompilerServices;
using Cpu.Execution;
using Cpu.Semantics;
using Cpu.State;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Interpreter;

/// <summary>Operand-form handling of the interpreter: fetch operands, call the semantics, write back.</summary>
public static partial class Dispatcher
{
    private static void Mov(Processor cpu, ref Instruction ins)
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
                    cpu.SetInterruptShadow();
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

    private static void Binary(Processor cpu, ref Instruction ins)
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

    private static void Unary(Processor cpu, ref Instruction ins)
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

    private static void Shift(Processor cpu, ref Instruction ins)
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

    private static void DoubleShift(Processor cpu, ref Instruction ins)
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

    private static void Imul(Processor cpu, ref Instruction ins)
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

    private static void Xchg(Processor cpu, ref Instruction ins)
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

    private static void Xadd(Processor cpu, ref Instruction ins)
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

    private static void Cmpxchg(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        Register src = ins.Op1Register;
        int size = Operands.RegisterSize(src);
        ulong acc = s.Gpr[Rax] & Operands.SizeMask(size);
        if (ins.Op0Kind == OpKind.Register)
        {
            ulong d = Operands.ReadRegister(s, ins.Op0Register);
            Alu.Sub(s, acc, d, size);
            if (acc == d)
            {
                Operands.WriteRegister(s, ins.Op0Register, Operands.ReadRegister(s, src));
            }
            else
            {
                // A register destination is not written on failure (its upper half is kept), as on Intel processors.
                WriteAccumulator(s, d, size);
            }

            return;
        }

        ulong ea = Operands.EffectiveAddress(cpu, ins);
        ulong old = Operands.ReadMemory(cpu, ea, size);

        // The destination is always written (with its old value on failure), Intel SDM CMPXCHG.
        Operands.WriteMemory(cpu, ea, size, acc == old ? Operands.ReadRegister(s, src) : old);
        Alu.Sub(s, acc, old, size);
        if (acc != old)
        {
            WriteAccumulator(s, old, size);
        }
    }

    private static void WriteAccumulator(CpuState s, ulong value, int size)
    {
        ref ulong rax = ref s.Gpr[Rax];
        rax = size switch
        {
            8 => value,
            4 => (uint)value,
            2 => (rax & ~0xFFFFUL) | (ushort)value,
            _ => (rax & ~0xFFUL) | (byte)value,
        };
    }

    private static void Cmpxchg8b(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        ulong ea = Operands.EffectiveAddress(cpu, ins);
        ulong old = cpu.Memory.Read64(ea);
        ulong expected = ((s.Gpr[Rdx] & 0xFFFF_FFFF) << 32) | (s.Gpr[Rax] & 0xFFFF_FFFF);
        if (old == expected)
        {
            cpu.Memory.Write64(ea, ((s.Gpr[Rcx] & 0xFFFF_FFFF) << 32) | (s.Gpr[3] & 0xFFFF_FFFF));
            s.SetFlags(Rflag.ZF, Rflag.ZF);
        }
        else
        {
            cpu.Memory.Write64(ea, old);
            s.SetFlags(Rflag.ZF, 0);
            s.Gpr[Rax] = (uint)old;
            s.Gpr[Rdx] = old >> 32;
        }
    }

    private static void Cmpxchg16b(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        ulong ea = Operands.EffectiveAddress(cpu, ins);
        if ((ea & 15) != 0)
        {
            throw CpuException.GeneralProtection();
        }

        ulong lo = cpu.Memory.Read64(ea);
        ulong hi = cpu.Memory.Read64(ea + 8);
        cpu.Memory.ProbeWrite(ea, 16);
        if (lo == s.Gpr[Rax] && hi == s.Gpr[Rdx])
        {
            cpu.Memory.Write64(ea, s.Gpr[3]);
            cpu.Memory.Write64(ea + 8, s.Gpr[Rcx]);
            s.SetFlags(Rflag.ZF, Rflag.ZF);
        }
        else
        {
            cpu.Memory.Write64(ea, lo);
            cpu.Memory.Write64(ea + 8, hi);
            s.SetFlags(Rflag.ZF, 0);
            s.Gpr[Rax] = lo;
            s.Gpr[Rdx] = hi;
        }
    }

    private static void BitTest(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        int kind = ins.Mnemonic switch
        {
            Mnemonic.Bts => 1,
            Mnemonic.Btr => 2,
            Mnemonic.Btc => 3,
            _ => 0,
        };
        int size = Operands.OperandSize(ins, 0);
        int bits = size * 8;
        ulong offset = Operands.ReadOperand(cpu, ins, 1);
        if (ins.Op0Kind == OpKind.Register)
        {
            ulong v = Operands.ReadRegister(s, ins.Op0Register);
            ulong r = BitOps.BitTest(s, v, (int)(offset & (ulong)(bits - 1)), kind);
            if (kind != 0)
            {
                Operands.WriteRegister(s, ins.Op0Register, r);
            }

            return;
        }

        ulong ea = Operands.EffectiveAddress(cpu, ins);
        int bit;
        if (ins.Op1Kind == OpKind.Register)
        {
            // Bit-string addressing: a register offset is signed and may reach outside the operand (SDM BT).
            long signed = Operands.SignExtend(offset, size);
            ea += (ulong)((signed >> (bits == 64 ? 6 : bits == 32 ? 5 : 4)) * size);
            if (cpu.Bitness != 64)
            {
                ea = (uint)ea;
            }

            bit = (int)(signed & (bits - 1));
        }
        else
        {
            bit = (int)(offset & (ulong)(bits - 1));
        }

        ulong value = Operands.ReadMemory(cpu, ea, size);
        if (kind != 0)
        {
            cpu.Memory.ProbeWrite(ea, size);
        }

        ulong result = BitOps.BitTest(s, value, bit, kind);
        if (kind != 0)
        {
            Operands.WriteMemory(cpu, ea, size, result);
        }
    }

    private static void Push(Processor cpu, ref Instruction ins)
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

    private static void Pop(Processor cpu, ref Instruction ins)
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
                    cpu.SetInterruptShadow();
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

    private static void Jmp(Processor cpu, ref Instruction ins)
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

    private static void Call(Processor cpu, ref Instruction ins)
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

    private static void CounterBranch(Processor cpu, ref Instruction ins)
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

    private static readonly byte[] CounterSizes = BuildCounterSizes();

    private static int CounterSize(Code code) => CounterSizes[(int)code];

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

    private static void Popf(Processor cpu, ref Instruction ins)
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

    private static void Leave(Processor cpu, ref Instruction ins)
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

    private static void Enter(Processor cpu, ref Instruction ins)
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

    private static void Pusha(Processor cpu, ref Instruction ins)
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

    private static void Popa(Processor cpu, ref Instruction ins)
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

    private static void DecimalAdjust(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        ulong rax = s.Gpr[Rax];
        byte al = (byte)rax;
        byte ah = (byte)(rax >> 8);
        bool cf = s.CF;
        bool af = s.AF;
        switch (ins.Mnemonic)
        {
            case Mnemonic.Daa:
            case Mnemonic.Das:
                {
                    bool sub = ins.Mnemonic == Mnemonic.Das;
                    byte oldAl = al;
                    bool newCf = false;
                    bool newAf = false;
                    if ((al & 0x0F) > 9 || af)
                    {
                        al = (byte)(sub ? al - 6 : al + 6);
                        newCf = cf || (sub ? oldAl < 6 : oldAl > 0xF9);
                        newAf = true;
                    }

                    if (oldAl > 0x99 || cf)
                    {
                        al = (byte)(sub ? al - 0x60 : al + 0x60);
                        newCf = true;
                    }

                    s.Gpr[Rax] = (rax & ~0xFFUL) | al;
                    s.SetArithmeticFlags(Alu.SignZeroParity(al, 1) | (newCf ? Rflag.CF : 0) | (newAf ? Rflag.AF : 0));
                    break;
                }

            case Mnemonic.Aaa:
            case Mnemonic.Aas:
                {
                    bool adjust = (al & 0x0F) > 9 || af;
                    ushort ax = (ushort)rax;
                    if (adjust)
                    {
                        ax = ins.Mnemonic == Mnemonic.Aaa ? (ushort)(ax + 0x106) : (ushort)(ax - 6);
                        if (ins.Mnemonic == Mnemonic.Aas)
                        {
                            ax = (ushort)((ax & 0x00FF) | (((ax >> 8) - 1) << 8));
                        }
                    }

                    ax &= 0xFF0F;
                    s.Gpr[Rax] = (rax & ~0xFFFFUL) | ax;
                    s.SetArithmeticFlags(Alu.SignZeroParity((byte)ax, 1) | (adjust ? Rflag.CF | Rflag.AF : 0));
                    break;
                }

            case Mnemonic.Aam:
                {
                    byte b = ins.Immediate8;
                    if (b == 0)
                    {
                        throw CpuException.DivideError();
                    }

                    ah = (byte)(al / b);
                    al = (byte)(al % b);
                    s.Gpr[Rax] = (rax & ~0xFFFFUL) | ((ulong)ah << 8) | al;
                    s.SetArithmeticFlags(Alu.SignZeroParity(al, 1));
                    break;
                }

            default:
                {
                    byte b = ins.Immediate8;
                    al = (byte)(al + (ah * b));
                    s.Gpr[Rax] = (rax & ~0xFFFFUL) | al;
                    s.SetArithmeticFlags(Alu.SignZeroParity(al, 1));
                    break;
                }
        }
    }
}
