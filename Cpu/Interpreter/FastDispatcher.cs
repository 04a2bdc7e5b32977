using System.Runtime.CompilerServices;
using Cpu.Decode;
using Cpu.Semantics;
using Cpu.State;
using Iced.Intel;

namespace Cpu.Interpreter;

/// <summary>
/// Runs the pre-decoded forms of <see cref="FastKind"/>. Same semantics as <see cref="Dispatcher"/>
/// (it calls the same <c>Cpu.Semantics</c> methods), without re-reading Iced's operand encoding.
/// </summary>
[SkipLocalsInit]
public static class FastDispatcher
{
    public static void Execute(Processor cpu, CpuState s, ref FastOp op)
    {
        ulong[] g = s.Gpr;
        switch (op.Kind)
        {
            case FastKind.AluRegReg:
                Alu(s, g, ref op, g[op.Src]);
                break;
            case FastKind.AluRegImm:
                Alu(s, g, ref op, op.Imm);
                break;
            case FastKind.MovRegReg:
                g[op.Dst] = op.Size == 8 ? g[op.Src] : (uint)g[op.Src];
                break;
            case FastKind.MovRegImm:
                g[op.Dst] = op.Imm;
                break;
            case FastKind.Load:
                {
                    ulong ea = Address(g, ref op);
                    g[op.Dst] = op.Size == 8 ? cpu.Memory.Read64(ea) : cpu.Memory.Read32(ea);
                    break;
                }

            case FastKind.Store:
                {
                    ulong ea = Address(g, ref op);
                    if (op.Size == 8)
                    {
                        cpu.Memory.Write64(ea, g[op.Src]);
                    }
                    else
                    {
                        cpu.Memory.Write32(ea, (uint)g[op.Src]);
                    }

                    break;
                }

            case FastKind.StoreImm:
                {
                    ulong ea = Address(g, ref op);
                    if (op.Size == 8)
                    {
                        cpu.Memory.Write64(ea, op.Imm2);
                    }
                    else
                    {
                        cpu.Memory.Write32(ea, (uint)op.Imm2);
                    }

                    break;
                }

            case FastKind.Lea:
                {
                    // LEA computes an offset and never touches memory: no canonical check (SDM Vol. 2A, LEA).
                    ulong v = EffectiveAddress(g, ref op);
                    g[op.Dst] = op.Size == 8 ? v : (uint)v;
                    break;
                }

            case FastKind.AluRegMem:
                {
                    ulong ea = Address(g, ref op);
                    Alu(s, g, ref op, op.Size == 8 ? cpu.Memory.Read64(ea) : cpu.Memory.Read32(ea));
                    break;
                }

            case FastKind.LoadZeroExtend8:
                g[op.Dst] = cpu.Memory.Read8(Address(g, ref op));
                break;
            case FastKind.LoadZeroExtend16:
                g[op.Dst] = cpu.Memory.Read16(Address(g, ref op));
                break;
            case FastKind.ImulRegReg:
                g[op.Dst] = MulDiv.Imul(s, g[op.Dst], g[op.Src], op.Size);
                break;
            case FastKind.ImulRegRegImm:
                g[op.Dst] = MulDiv.Imul(s, g[op.Src], op.Imm, op.Size);
                break;
            case FastKind.ShiftRegImm:
                {
                    ulong a = g[op.Dst];
                    ulong r = op.Sub switch
                    {
                        0 => Shifts.Shl(s, a, op.Imm, op.Size),
                        1 => Shifts.Shr(s, a, op.Imm, op.Size),
                        _ => Shifts.Sar(s, a, op.Imm, op.Size),
                    };
                    g[op.Dst] = op.Size == 8 ? r : (uint)r;
                    break;
                }

            case FastKind.SetccReg8:
                g[op.Dst] = (g[op.Dst] & ~0xFFUL) | (Conditions.Evaluate(s, (ConditionCode)op.Sub) ? 1UL : 0UL);
                break;

            case FastKind.IncReg:
                g[op.Dst] = Semantics.Alu.Inc(s, g[op.Dst], op.Size);
                break;
            case FastKind.DecReg:
                g[op.Dst] = Semantics.Alu.Dec(s, g[op.Dst], op.Size);
                break;
            case FastKind.Jcc:
                if (Conditions.Evaluate(s, (ConditionCode)op.Sub))
                {
                    s.Rip = op.Imm;
                }

                break;
            case FastKind.Jmp:
                s.Rip = op.Imm;
                break;
            case FastKind.CallRel64:
                {
                    ulong rsp = Stack.Linear(cpu, g[4] - 8);
                    cpu.Memory.Write64(rsp, op.NextIp);
                    g[4] = rsp;
                    s.Rip = op.Imm;
                    break;
                }

            case FastKind.Ret64:
                {
                    ulong target = cpu.Memory.Read64(Stack.Linear(cpu, g[4]));
                    g[4] += 8;
                    s.Rip = target;
                    break;
                }

            case FastKind.PushReg64:
                {
                    ulong rsp = Stack.Linear(cpu, g[4] - 8);
                    cpu.Memory.Write64(rsp, g[op.Src]);
                    g[4] = rsp;
                    break;
                }

            case FastKind.PopReg64:
                {
                    ulong v = cpu.Memory.Read64(Stack.Linear(cpu, g[4]));
                    g[4] += 8;
                    g[op.Dst] = v;
                    break;
                }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Address(ulong[] g, ref FastOp op)
    {
        ulong ea = EffectiveAddress(g, ref op);
        if (!Operands.IsCanonical(ea))
        {
            throw op.Base is 4 or 5 ? Execution.CpuException.StackFault() : Execution.CpuException.GeneralProtection();
        }

        return ea;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EffectiveAddress(ulong[] g, ref FastOp op)
    {
        ulong ea = op.Imm;
        if (op.Base != FastOp.NoRegister)
        {
            ea += g[op.Base];
        }

        if (op.Index != FastOp.NoRegister)
        {
            ea += g[op.Index] << op.Scale;
        }

        return ea;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Alu(CpuState s, ulong[] g, ref FastOp op, ulong b)
    {
        int size = op.Size;
        ulong a = g[op.Dst];
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

        g[op.Dst] = r;
    }
}
