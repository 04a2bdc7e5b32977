using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cpu.Decode;
using Cpu.Semantics;
using Cpu.State;
using Iced.Intel;

namespace Cpu.Interpreter;

/// <summary>
/// Runs the pre-decoded forms of <see cref="FastKind"/>. Same semantics as the table's (<see cref="Instructions.InstructionTable"/>)
/// (it calls the same <c>Cpu.Semantics</c> methods), without re-reading Iced's operand encoding.
/// </summary>
[SkipLocalsInit]
public static class FastDispatcher
{
    /// <summary>
    /// Runs pre-decoded forms from <paramref name="index"/> until a generic one, <paramref name="end"/>, a
    /// branch (the last instruction of a block) or an exit request. <paramref name="index"/> always names the
    /// instruction being run, so a fault is reported at it; afterwards it is the next one to run, and RIP is
    /// after the last instruction run (RIP is written once per call, not per instruction: no fast form reads it).
    /// </summary>
    public static void Run(Processor cpu, CpuState s, FastOp[] ops, ref int index, int end, ref bool exit)
    {
        ref ulong g = ref MemoryMarshal.GetArrayDataReference(s.Gpr);
        ref FastOp first = ref MemoryMarshal.GetArrayDataReference(ops);
        Mmu.LinearMemory memory = cpu.Memory;
        int k = index;
        while (true)
        {
            ref FastOp op = ref Unsafe.Add(ref first, k);
            index = k;
            switch (op.Kind)
            {
                case FastKind.Generic:
                    return;
                case FastKind.AddRegReg:
                    Reg(ref g, op.Dst) = Semantics.Alu.Add(s, Reg(ref g, op.Dst), Reg(ref g, op.Src), op.Size);
                    break;
                case FastKind.SubRegReg:
                    Reg(ref g, op.Dst) = Semantics.Alu.Sub(s, Reg(ref g, op.Dst), Reg(ref g, op.Src), op.Size);
                    break;
                case FastKind.AndRegReg:
                    Reg(ref g, op.Dst) = Semantics.Alu.And(s, Reg(ref g, op.Dst), Reg(ref g, op.Src), op.Size);
                    break;
                case FastKind.OrRegReg:
                    Reg(ref g, op.Dst) = Semantics.Alu.Or(s, Reg(ref g, op.Dst), Reg(ref g, op.Src), op.Size);
                    break;
                case FastKind.XorRegReg:
                    Reg(ref g, op.Dst) = Semantics.Alu.Xor(s, Reg(ref g, op.Dst), Reg(ref g, op.Src), op.Size);
                    break;
                case FastKind.CmpRegReg:
                    Semantics.Alu.Sub(s, Reg(ref g, op.Dst), Reg(ref g, op.Src), op.Size);
                    break;
                case FastKind.TestRegReg:
                    Semantics.Alu.And(s, Reg(ref g, op.Dst), Reg(ref g, op.Src), op.Size);
                    break;
                case FastKind.AddRegImm:
                    Reg(ref g, op.Dst) = Semantics.Alu.Add(s, Reg(ref g, op.Dst), op.Imm, op.Size);
                    break;
                case FastKind.SubRegImm:
                    Reg(ref g, op.Dst) = Semantics.Alu.Sub(s, Reg(ref g, op.Dst), op.Imm, op.Size);
                    break;
                case FastKind.AndRegImm:
                    Reg(ref g, op.Dst) = Semantics.Alu.And(s, Reg(ref g, op.Dst), op.Imm, op.Size);
                    break;
                case FastKind.OrRegImm:
                    Reg(ref g, op.Dst) = Semantics.Alu.Or(s, Reg(ref g, op.Dst), op.Imm, op.Size);
                    break;
                case FastKind.XorRegImm:
                    Reg(ref g, op.Dst) = Semantics.Alu.Xor(s, Reg(ref g, op.Dst), op.Imm, op.Size);
                    break;
                case FastKind.CmpRegImm:
                    Semantics.Alu.Sub(s, Reg(ref g, op.Dst), op.Imm, op.Size);
                    break;
                case FastKind.TestRegImm:
                    Semantics.Alu.And(s, Reg(ref g, op.Dst), op.Imm, op.Size);
                    break;
                case FastKind.AddRegMem:
                    Reg(ref g, op.Dst) = Semantics.Alu.Add(s, Reg(ref g, op.Dst), Load(memory, Address(ref g, ref op), op.Size), op.Size);
                    break;
                case FastKind.SubRegMem:
                    Reg(ref g, op.Dst) = Semantics.Alu.Sub(s, Reg(ref g, op.Dst), Load(memory, Address(ref g, ref op), op.Size), op.Size);
                    break;
                case FastKind.CmpRegMem:
                    Semantics.Alu.Sub(s, Reg(ref g, op.Dst), Load(memory, Address(ref g, ref op), op.Size), op.Size);
                    break;
                case FastKind.AluRegReg:
                    Alu(s, ref g, ref op, Reg(ref g, op.Src));
                    break;
                case FastKind.AluRegImm:
                    Alu(s, ref g, ref op, op.Imm);
                    break;
                case FastKind.AluRegMem:
                    Alu(s, ref g, ref op, Load(memory, Address(ref g, ref op), op.Size));
                    break;
                case FastKind.MovRegReg:
                    Reg(ref g, op.Dst) = op.Size == 8 ? Reg(ref g, op.Src) : (uint)Reg(ref g, op.Src);
                    break;
                case FastKind.MovRegImm:
                    Reg(ref g, op.Dst) = op.Imm;
                    break;
                case FastKind.Load:
                    Reg(ref g, op.Dst) = Load(memory, Address(ref g, ref op), op.Size);
                    break;
                case FastKind.Store:
                    {
                        ulong ea = Address(ref g, ref op);
                        if (op.Size == 8)
                        {
                            memory.Write64(ea, Reg(ref g, op.Src));
                        }
                        else
                        {
                            memory.Write32(ea, (uint)Reg(ref g, op.Src));
                        }

                        break;
                    }

                case FastKind.StoreImm:
                    StoreImmediate(memory, ref g, ref op);
                    break;

                case FastKind.Lea:
                    {
                        // LEA computes an offset and never touches memory: no canonical check (SDM Vol. 2A, LEA).
                        ulong v = EffectiveAddress(ref g, ref op);
                        Reg(ref g, op.Dst) = op.Size == 8 ? v : (uint)v;
                        break;
                    }

                case FastKind.LoadZeroExtend8:
                case FastKind.LoadZeroExtend16:
                    LoadZeroExtend(memory, ref g, ref op);
                    break;
                case FastKind.ImulRegReg:
                    Reg(ref g, op.Dst) = MulDiv.Imul(s, Reg(ref g, op.Dst), Reg(ref g, op.Src), op.Size);
                    break;
                case FastKind.ImulRegRegImm:
                    Reg(ref g, op.Dst) = MulDiv.Imul(s, Reg(ref g, op.Src), op.Imm, op.Size);
                    break;
                case FastKind.ShiftRegImm:
                    Shift(s, ref g, ref op);
                    break;

                case FastKind.SetccReg8:
                    Reg(ref g, op.Dst) = (Reg(ref g, op.Dst) & ~0xFFUL) | (Conditions.Evaluate(s, (ConditionCode)op.Sub) ? 1UL : 0UL);
                    break;
                case FastKind.IncReg:
                    Reg(ref g, op.Dst) = Semantics.Alu.Inc(s, Reg(ref g, op.Dst), op.Size);
                    break;
                case FastKind.DecReg:
                    Reg(ref g, op.Dst) = Semantics.Alu.Dec(s, Reg(ref g, op.Dst), op.Size);
                    break;
                case FastKind.PushReg64:
                    Push(cpu, ref g, Reg(ref g, op.Src));
                    break;
                case FastKind.PopReg64:
                    Reg(ref g, op.Dst) = Pop(cpu, ref g);
                    break;

                case FastKind.CmpRegRegJcc:
                    Semantics.Alu.Sub(s, Reg(ref g, op.Dst), Reg(ref g, op.Src), op.Size);
                    if (k + 1 < end)
                    {
                        s.Rip = Conditions.Evaluate(s, (ConditionCode)op.Sub) ? op.Imm2 : Unsafe.Add(ref op, 1).NextIp;
                        index = k + 2;
                        return;
                    }

                    break;
                case FastKind.CmpRegImmJcc:
                    Semantics.Alu.Sub(s, Reg(ref g, op.Dst), op.Imm, op.Size);
                    if (k + 1 < end)
                    {
                        s.Rip = Conditions.Evaluate(s, (ConditionCode)op.Sub) ? op.Imm2 : Unsafe.Add(ref op, 1).NextIp;
                        index = k + 2;
                        return;
                    }

                    break;
                case FastKind.TestRegRegJcc:
                    Semantics.Alu.And(s, Reg(ref g, op.Dst), Reg(ref g, op.Src), op.Size);
                    if (k + 1 < end)
                    {
                        s.Rip = Conditions.Evaluate(s, (ConditionCode)op.Sub) ? op.Imm2 : Unsafe.Add(ref op, 1).NextIp;
                        index = k + 2;
                        return;
                    }

                    break;
                case FastKind.DecRegJcc:
                    Reg(ref g, op.Dst) = Semantics.Alu.Dec(s, Reg(ref g, op.Dst), op.Size);
                    if (k + 1 < end)
                    {
                        s.Rip = Conditions.Evaluate(s, (ConditionCode)op.Sub) ? op.Imm2 : Unsafe.Add(ref op, 1).NextIp;
                        index = k + 2;
                        return;
                    }

                    break;

                // Branches end their block: RIP is set and the run ends.
                case FastKind.Jcc:
                    s.Rip = Conditions.Evaluate(s, (ConditionCode)op.Sub) ? op.Imm : op.NextIp;
                    index = k + 1;
                    return;
                case FastKind.Jmp:
                    s.Rip = op.Imm;
                    index = k + 1;
                    return;
                case FastKind.CallRel64:
                    Push(cpu, ref g, op.NextIp);
                    s.Rip = op.Imm;
                    index = k + 1;
                    return;
                case FastKind.Ret64:
                    s.Rip = Pop(cpu, ref g);
                    index = k + 1;
                    return;

                default:
                    throw new InvalidOperationException($"fast form {op.Kind} has no case");
            }

            k++;

            // A store into a page holding cached code ends the block (BlockCache.Invalidated sets exit).
            if (k >= end || exit)
            {
                s.Rip = op.NextIp;
                index = k;
                return;
            }
        }
    }

    // The less common forms are out of line: each inlined memory access or flag computation adds
    // temporaries to Run's frame, which the prologue zeroes on every call (once per block).

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Shift(CpuState s, ref ulong g, ref FastOp op)
    {
        ulong a = Reg(ref g, op.Dst);
        ulong r = op.Sub switch
        {
            0 => Shifts.Shl(s, a, op.Imm, op.Size),
            1 => Shifts.Shr(s, a, op.Imm, op.Size),
            _ => Shifts.Sar(s, a, op.Imm, op.Size),
        };
        Reg(ref g, op.Dst) = op.Size == 8 ? r : (uint)r;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StoreImmediate(Mmu.LinearMemory memory, ref ulong g, ref FastOp op)
    {
        ulong ea = Address(ref g, ref op);
        if (op.Size == 8)
        {
            memory.Write64(ea, op.Imm2);
        }
        else
        {
            memory.Write32(ea, (uint)op.Imm2);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LoadZeroExtend(Mmu.LinearMemory memory, ref ulong g, ref FastOp op)
    {
        ulong ea = Address(ref g, ref op);
        Reg(ref g, op.Dst) = op.Kind == FastKind.LoadZeroExtend8 ? memory.Read8(ea) : memory.Read16(ea);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Push(Processor cpu, ref ulong g, ulong value)
    {
        ulong rsp = Stack.Linear(cpu, Reg(ref g, 4) - 8);
        cpu.Memory.Write64(rsp, value);
        Reg(ref g, 4) = rsp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong Pop(Processor cpu, ref ulong g)
    {
        ulong v = cpu.Memory.Read64(Stack.Linear(cpu, Reg(ref g, 4)));
        Reg(ref g, 4) += 8;
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref ulong Reg(ref ulong g, byte number) => ref Unsafe.Add(ref g, number);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Load(Mmu.LinearMemory memory, ulong ea, byte size) => size == 8 ? memory.Read64(ea) : memory.Read32(ea);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Address(ref ulong g, ref FastOp op)
    {
        ulong ea = EffectiveAddress(ref g, ref op);
        if (!Operands.IsCanonical(ea))
        {
            throw op.Base is 4 or 5 ? Execution.CpuException.StackFault() : Execution.CpuException.GeneralProtection();
        }

        return ea;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EffectiveAddress(ref ulong g, ref FastOp op)
    {
        ulong ea = op.Imm;
        if (op.Base != FastOp.NoRegister)
        {
            ea += Reg(ref g, op.Base);
        }

        if (op.Index != FastOp.NoRegister)
        {
            ea += Reg(ref g, op.Index) << op.Scale;
        }

        return ea;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Alu(CpuState s, ref ulong g, ref FastOp op, ulong b)
    {
        int size = op.Size;
        ulong a = Reg(ref g, op.Dst);
        ulong r;
        switch (op.Sub)
        {
            case AluKind.Add: r = Semantics.Alu.Add(s, a, b, size); break;
            case AluKind.Or: r = Semantics.Alu.Or(s, a, b, size); break;
            case AluKind.Adc: r = Semantics.Alu.Adc(s, a, b, size); break;
            case AluKind.Sbb: r = Semantics.Alu.Sbb(s, a, b, size); break;
            case AluKind.And: r = Semantics.Alu.And(s, a, b, size); break;
            case AluKind.Sub: r = Semantics.Alu.Sub(s, a, b, size); break;
            case AluKind.Xor: r = Semantics.Alu.Xor(s, a, b, size); break;
            case AluKind.Cmp: Semantics.Alu.Sub(s, a, b, size); return;
            default: Semantics.Alu.And(s, a, b, size); return;
        }

        Reg(ref g, op.Dst) = r;
    }
}
