using System.Runtime.CompilerServices;
using Cpu.Decode;
using Cpu.Execution;
using Cpu.Semantics;
using Cpu.Semantics.Sse;
using Cpu.State;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Interpreter;

/// <summary>
/// The interpreter: executes one decoded instruction by calling the semantic methods of
/// <c>Cpu.Semantics</c>. RIP already points past the instruction. System instructions go to
/// <see cref="SystemInstructions.Execute"/>; anything not implemented raises #UD and is counted.
/// </summary>
[SkipLocalsInit]
public static partial class Dispatcher
{
    private const int Rax = 0;
    private const int Rcx = 1;
    private const int Rdx = 2;
    private const int Rsp = 4;
    private const int Rbp = 5;

    public static void Execute(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        switch (ins.Mnemonic)
        {
            case Mnemonic.Mov:
                Mov(cpu, ref ins);
                break;
            case Mnemonic.Add:
            case Mnemonic.Or:
            case Mnemonic.Adc:
            case Mnemonic.Sbb:
            case Mnemonic.And:
            case Mnemonic.Sub:
            case Mnemonic.Xor:
            case Mnemonic.Cmp:
            case Mnemonic.Test:
                Binary(cpu, ref ins);
                break;
            case Mnemonic.Inc:
            case Mnemonic.Dec:
            case Mnemonic.Neg:
            case Mnemonic.Not:
                Unary(cpu, ref ins);
                break;
            case Mnemonic.Lea:
                Operands.WriteRegister(s, ins.Op0Register, Operands.EffectiveOffset(s, ins));
                break;
            case Mnemonic.Push:
                Push(cpu, ref ins);
                break;
            case Mnemonic.Pop:
                Pop(cpu, ref ins);
                break;
            case Mnemonic.Jmp:
                Jmp(cpu, ref ins);
                break;
            case Mnemonic.Call:
                Call(cpu, ref ins);
                break;
            case Mnemonic.Ret:
                {
                    // StackPointerIncrement is the operand size plus RET imm16's release count.
                    int increment = ins.StackPointerIncrement;
                    int size = ins.OpCount == 1 ? increment - ins.Immediate16 : increment;
                    ulong target = Stack.Peek(cpu, size, 0);
                    s.Gpr[Rsp] = Stack.Adjust(cpu, s.Gpr[Rsp], increment);
                    s.Rip = target;
                    break;
                }

            case Mnemonic.Ja:
            case Mnemonic.Jae:
            case Mnemonic.Jb:
            case Mnemonic.Jbe:
            case Mnemonic.Je:
            case Mnemonic.Jg:
            case Mnemonic.Jge:
            case Mnemonic.Jl:
            case Mnemonic.Jle:
            case Mnemonic.Jne:
            case Mnemonic.Jno:
            case Mnemonic.Jnp:
            case Mnemonic.Jns:
            case Mnemonic.Jo:
            case Mnemonic.Jp:
            case Mnemonic.Js:
                if (Conditions.Evaluate(s, ins.ConditionCode))
                {
                    s.Rip = ins.NearBranchTarget;
                }

                break;
            case Mnemonic.Seta:
            case Mnemonic.Setae:
            case Mnemonic.Setb:
            case Mnemonic.Setbe:
            case Mnemonic.Sete:
            case Mnemonic.Setg:
            case Mnemonic.Setge:
            case Mnemonic.Setl:
            case Mnemonic.Setle:
            case Mnemonic.Setne:
            case Mnemonic.Setno:
            case Mnemonic.Setnp:
            case Mnemonic.Setns:
            case Mnemonic.Seto:
            case Mnemonic.Setp:
            case Mnemonic.Sets:
                Operands.WriteOperand(cpu, ins, 0, Conditions.Evaluate(s, ins.ConditionCode) ? 1UL : 0UL);
                break;
            case Mnemonic.Cmova:
            case Mnemonic.Cmovae:
            case Mnemonic.Cmovb:
            case Mnemonic.Cmovbe:
            case Mnemonic.Cmove:
            case Mnemonic.Cmovg:
            case Mnemonic.Cmovge:
            case Mnemonic.Cmovl:
            case Mnemonic.Cmovle:
            case Mnemonic.Cmovne:
            case Mnemonic.Cmovno:
            case Mnemonic.Cmovnp:
            case Mnemonic.Cmovns:
            case Mnemonic.Cmovo:
            case Mnemonic.Cmovp:
            case Mnemonic.Cmovs:
                {
                    // The source is read (and may fault) whatever the condition; a 32-bit destination is
                    // zero-extended even when the move does not happen.
                    ulong v = Operands.ReadOperand(cpu, ins, 1);
                    Register dest = ins.Op0Register;
                    Operands.WriteRegister(s, dest, Conditions.Evaluate(s, ins.ConditionCode) ? v : Operands.ReadRegister(s, dest));
                    break;
                }

            case Mnemonic.Movzx:
                Operands.WriteRegister(s, ins.Op0Register, Operands.ReadOperand(cpu, ins, 1));
                break;
            case Mnemonic.Movsx:
            case Mnemonic.Movsxd:
                Operands.WriteRegister(s, ins.Op0Register, (ulong)Operands.SignExtend(Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 1)) & Operands.SizeMask(Operands.RegisterSize(ins.Op0Register)));
                break;
            case Mnemonic.Shl:
            case Mnemonic.Sal:
            case Mnemonic.Shr:
            case Mnemonic.Sar:
            case Mnemonic.Rol:
            case Mnemonic.Ror:
            case Mnemonic.Rcl:
            case Mnemonic.Rcr:
                Shift(cpu, ref ins);
                break;
            case Mnemonic.Shld:
            case Mnemonic.Shrd:
                DoubleShift(cpu, ref ins);
                break;
            case Mnemonic.Imul:
                Imul(cpu, ref ins);
                break;
            case Mnemonic.Mul:
                MulDiv.Mul(s, Operands.ReadOperand(cpu, ins, 0), Operands.OperandSize(ins, 0));
                break;
            case Mnemonic.Div:
                MulDiv.Div(s, Operands.ReadOperand(cpu, ins, 0), Operands.OperandSize(ins, 0));
                break;
            case Mnemonic.Idiv:
                MulDiv.Idiv(s, Operands.ReadOperand(cpu, ins, 0), Operands.OperandSize(ins, 0));
                break;
            case Mnemonic.Nop:
            case Mnemonic.Pause:
            case Mnemonic.Endbr32:
            case Mnemonic.Endbr64:
            case Mnemonic.Lfence:
            case Mnemonic.Mfence:
            case Mnemonic.Sfence:
            case Mnemonic.Prefetchnta:
            case Mnemonic.Prefetcht0:
            case Mnemonic.Prefetcht1:
            case Mnemonic.Prefetcht2:
            case Mnemonic.Prefetchw:
            case Mnemonic.Clflush:
            case Mnemonic.Clflushopt:
                break;
            case Mnemonic.Xchg:
                Xchg(cpu, ref ins);
                break;
            case Mnemonic.Xadd:
                Xadd(cpu, ref ins);
                break;
            case Mnemonic.Cmpxchg:
                Cmpxchg(cpu, ref ins);
                break;
            case Mnemonic.Cmpxchg8b:
                Cmpxchg8b(cpu, ref ins);
                break;
            case Mnemonic.Cmpxchg16b:
                Cmpxchg16b(cpu, ref ins);
                break;
            case Mnemonic.Bswap:
                Operands.WriteRegister(s, ins.Op0Register, BitOps.Bswap(Operands.ReadRegister(s, ins.Op0Register), Operands.RegisterSize(ins.Op0Register)));
                break;
            case Mnemonic.Movbe:
                {
                    int size = Operands.OperandSize(ins, 0);
                    ulong v = Operands.ReadOperand(cpu, ins, 1);
                    v = size == 2 ? (ulong)global::System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)v) : BitOps.Bswap(v, size);
                    Operands.WriteOperand(cpu, ins, 0, v);
                    break;
                }

            case Mnemonic.Bt:
            case Mnemonic.Bts:
            case Mnemonic.Btr:
            case Mnemonic.Btc:
                BitTest(cpu, ref ins);
                break;
            case Mnemonic.Bsf:
            case Mnemonic.Bsr:
                {
                    // A zero source leaves the whole destination register unwritten (no zero-extension), as Intel processors do.
                    int size = Operands.OperandSize(ins, 0);
                    ulong src = Operands.ReadOperand(cpu, ins, 1);
                    ulong dest = Operands.ReadRegister(s, ins.Op0Register);
                    ulong r = ins.Mnemonic == Mnemonic.Bsf ? BitOps.Bsf(s, src, dest, size) : BitOps.Bsr(s, src, dest, size);
                    if ((src & Operands.SizeMask(size)) != 0)
                    {
                        Operands.WriteRegister(s, ins.Op0Register, r);
                    }

                    break;
                }
            case Mnemonic.Tzcnt:
                Operands.WriteRegister(s, ins.Op0Register, BitOps.Tzcnt(s, Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 0)));
                break;
            case Mnemonic.Lzcnt:
                Operands.WriteRegister(s, ins.Op0Register, BitOps.Lzcnt(s, Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 0)));
                break;
            case Mnemonic.Andn:
                Operands.WriteRegister(s, ins.Op0Register, BitOps.Andn(s, Operands.ReadOperand(cpu, ins, 1), Operands.ReadOperand(cpu, ins, 2), Operands.OperandSize(ins, 0)));
                break;
            case Mnemonic.Bextr:
                Operands.WriteRegister(s, ins.Op0Register, BitOps.Bextr(s, Operands.ReadOperand(cpu, ins, 1), Operands.ReadOperand(cpu, ins, 2), Operands.OperandSize(ins, 0)));
                break;
            case Mnemonic.Blsi:
                Operands.WriteRegister(s, ins.Op0Register, BitOps.Blsi(s, Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 0)));
                break;
            case Mnemonic.Blsmsk:
                Operands.WriteRegister(s, ins.Op0Register, BitOps.Blsmsk(s, Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 0)));
                break;
            case Mnemonic.Blsr:
                Operands.WriteRegister(s, ins.Op0Register, BitOps.Blsr(s, Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 0)));
                break;
            case Mnemonic.Popcnt:
                Operands.WriteRegister(s, ins.Op0Register, BitOps.Popcnt(s, Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 0)));
                break;
            case Mnemonic.Cbw:
                s.Gpr[Rax] = (s.Gpr[Rax] & ~0xFFFFUL) | (ulong)(ushort)(short)(sbyte)s.Gpr[Rax];
                break;
            case Mnemonic.Cwde:
                s.Gpr[Rax] = (uint)(short)s.Gpr[Rax];
                break;
            case Mnemonic.Cdqe:
                s.Gpr[Rax] = (ulong)(int)s.Gpr[Rax];
                break;
            case Mnemonic.Cwd:
                s.Gpr[Rdx] = (s.Gpr[Rdx] & ~0xFFFFUL) | ((s.Gpr[Rax] & 0x8000) != 0 ? 0xFFFFUL : 0);
                break;
            case Mnemonic.Cdq:
                s.Gpr[Rdx] = (s.Gpr[Rax] & 0x8000_0000) != 0 ? 0xFFFF_FFFFUL : 0;
                break;
            case Mnemonic.Cqo:
                s.Gpr[Rdx] = (long)s.Gpr[Rax] < 0 ? ulong.MaxValue : 0;
                break;
            case Mnemonic.Clc:
                s.SetFlags(Rflag.CF, 0);
                break;
            case Mnemonic.Stc:
                s.SetFlags(Rflag.CF, Rflag.CF);
                break;
            case Mnemonic.Cmc:
                s.SetFlags(Rflag.CF, s.CF ? 0 : Rflag.CF);
                break;
            case Mnemonic.Cld:
                s.FlagBits &= ~Rflag.DF;
                break;
            case Mnemonic.Std:
                s.FlagBits |= Rflag.DF;
                break;
            case Mnemonic.Lahf:
                {
                    ulong f = s.Rflags & (Rflag.SF | Rflag.ZF | Rflag.AF | Rflag.PF | Rflag.CF);
                    s.Gpr[Rax] = (s.Gpr[Rax] & ~0xFF00UL) | ((f | Rflag.Reserved1) << 8);
                    break;
                }

            case Mnemonic.Sahf:
                s.SetFlags(Rflag.SF | Rflag.ZF | Rflag.AF | Rflag.PF | Rflag.CF, s.Gpr[Rax] >> 8);
                break;
            case Mnemonic.Pushf:
            case Mnemonic.Pushfd:
            case Mnemonic.Pushfq:
                Stack.Push(cpu, s.Rflags & ~(Rflag.VM | Rflag.RF), -ins.StackPointerIncrement);
                break;
            case Mnemonic.Popf:
            case Mnemonic.Popfd:
            case Mnemonic.Popfq:
                Popf(cpu, ref ins);
                break;
            case Mnemonic.Cli:
                CheckIopl(cpu);
                s.FlagBits &= ~Rflag.IF;
                break;
            case Mnemonic.Sti:
                CheckIopl(cpu);
                if ((s.FlagBits & Rflag.IF) == 0)
                {
                    s.FlagBits |= Rflag.IF;
                    cpu.SetInterruptShadow();
                }

                break;
            case Mnemonic.Hlt:
                if (cpu.State.Cpl != 0 && (s.Cr0 & 1) != 0)
                {
                    throw CpuException.GeneralProtection();
                }

                cpu.Halted = true;
                cpu.EndBlock();
                break;
            case Mnemonic.Leave:
                Leave(cpu, ref ins);
                break;

            case Mnemonic.Enter:
                Enter(cpu, ref ins);
                break;
            case Mnemonic.Loop:
            case Mnemonic.Loope:
            case Mnemonic.Loopne:
            case Mnemonic.Jcxz:
            case Mnemonic.Jecxz:
            case Mnemonic.Jrcxz:
                CounterBranch(cpu, ref ins);
                break;
            case Mnemonic.Movsb:
            case Mnemonic.Movsw:
            case Mnemonic.Movsd:
            case Mnemonic.Movsq:
            case Mnemonic.Stosb:
            case Mnemonic.Stosw:
            case Mnemonic.Stosd:
            case Mnemonic.Stosq:
            case Mnemonic.Lodsb:
            case Mnemonic.Lodsw:
            case Mnemonic.Lodsd:
            case Mnemonic.Lodsq:
            case Mnemonic.Cmpsb:
            case Mnemonic.Cmpsw:
            case Mnemonic.Cmpsd:
            case Mnemonic.Cmpsq:
            case Mnemonic.Scasb:
            case Mnemonic.Scasw:
            case Mnemonic.Scasd:
            case Mnemonic.Scasq:
            case Mnemonic.Insb:
            case Mnemonic.Insw:
            case Mnemonic.Insd:
            case Mnemonic.Outsb:
            case Mnemonic.Outsw:
            case Mnemonic.Outsd:
                if (!ins.IsStringInstruction)
                {
                    // MOVSD and CMPSD are also SSE2 instructions.
                    if (SseInstructions.TryExecute(cpu, ins))
                    {
                        break;
                    }

                    Undefined(cpu, ref ins);
                }

                Strings.Execute(cpu, ins);
                break;
            case Mnemonic.In:
                {
                    ushort port = (ushort)Operands.ReadOperand(cpu, ins, 1);
                    Operands.WriteRegister(s, ins.Op0Register, SystemInstructions.PortIn(cpu, port, Operands.RegisterSize(ins.Op0Register)));
                    break;
                }

            case Mnemonic.Out:
                {
                    ushort port = (ushort)Operands.ReadOperand(cpu, ins, 0);
                    SystemInstructions.PortOut(cpu, port, Operands.RegisterSize(ins.Op1Register), (uint)Operands.ReadRegister(s, ins.Op1Register));
                    break;
                }

            case Mnemonic.Xlatb:
                Operands.WriteRegister(s, Register.AL, Operands.ReadOperand(cpu, ins, 0));
                break;
            case Mnemonic.Pusha:
            case Mnemonic.Pushad:
                Pusha(cpu, ref ins);
                break;
            case Mnemonic.Popa:
            case Mnemonic.Popad:
                Popa(cpu, ref ins);
                break;
            case Mnemonic.Daa:
            case Mnemonic.Das:
            case Mnemonic.Aaa:
            case Mnemonic.Aas:
            case Mnemonic.Aam:
            case Mnemonic.Aad:
                DecimalAdjust(cpu, ref ins);
                break;
            default:
                if (InstructionClass.IsSystem(ins.Mnemonic) && !ins.IsInvalid)
                {
                    SystemInstructions.Execute(cpu, ins);
                    cpu.EndBlock();
                    break;
                }

                if (ExtendedState.TryExecute(cpu, ins) || SseInstructions.TryExecute(cpu, ins))
                {
                    break;
                }

                Undefined(cpu, ref ins);
                break;
        }
    }

    private static void Undefined(Processor cpu, ref Instruction ins)
    {
        cpu.Counters.RecordUndefined(ins.Mnemonic);
        throw CpuException.InvalidOpcode();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckIopl(Processor cpu)
    {
        CpuState s = cpu.State;
        if ((s.Cr0 & 1) != 0 && s.Cpl > s.Iopl)
        {
            throw CpuException.GeneralProtection();
        }
    }
}
