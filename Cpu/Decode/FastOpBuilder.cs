using Cpu.Semantics;
using Iced.Intel;

namespace Cpu.Decode;

/// <summary>Recognizes the instruction forms of <see cref="FastKind"/> when a block is decoded.</summary>
public static class FastOpBuilder
{
    public static FastOp Build(in Instruction ins, int bitness)
    {
        var op = new FastOp { NextIp = ins.NextIP };
        if (ins.IsInvalid || ins.HasLockPrefix)
        {
            return op;
        }

        Mnemonic m = ins.Mnemonic;
        int alu = m switch
        {
            Mnemonic.Add => AluKind.Add,
            Mnemonic.Or => AluKind.Or,
            Mnemonic.Adc => AluKind.Adc,
            Mnemonic.Sbb => AluKind.Sbb,
            Mnemonic.And => AluKind.And,
            Mnemonic.Sub => AluKind.Sub,
            Mnemonic.Xor => AluKind.Xor,
            Mnemonic.Cmp => AluKind.Cmp,
            Mnemonic.Test => AluKind.Test,
            _ => -1,
        };

        if (alu >= 0 && IsWideGpr(ins, 0, out byte dst, out byte size))
        {
            op.Dst = dst;
            op.Size = size;
            op.Sub = (byte)alu;
            if (IsWideGpr(ins, 1, out byte src, out _))
            {
                op.Src = src;
                op.Kind = FastKind.AluRegReg;
            }
            else if (IsImmediate(ins.Op1Kind))
            {
                op.Imm = ins.GetImmediate(1);
                op.Kind = FastKind.AluRegImm;
            }
            else if (bitness == 64 && SimpleMemory(ins, ref op))
            {
                op.Kind = FastKind.AluRegMem;
            }

            return op;
        }

        switch (m)
        {
            case Mnemonic.Mov:
                if (IsWideGpr(ins, 0, out byte d, out byte sz))
                {
                    op.Dst = d;
                    op.Size = sz;
                    if (IsWideGpr(ins, 1, out byte s2, out _))
                    {
                        op.Src = s2;
                        op.Kind = FastKind.MovRegReg;
                    }
                    else if (IsImmediate(ins.Op1Kind))
                    {
                        op.Imm = ins.GetImmediate(1) & Operands.SizeMask(sz);
                        op.Kind = FastKind.MovRegImm;
                    }
                    else if (bitness == 64 && SimpleMemory(ins, ref op))
                    {
                        op.Kind = FastKind.Load;
                    }
                }
                else if (bitness == 64 && ins.Op0Kind == OpKind.Memory && SimpleMemory(ins, ref op))
                {
                    int memSize = Operands.MemorySizeBytes(ins.MemorySize);
                    if (IsWideGpr(ins, 1, out byte s3, out byte sz3))
                    {
                        op.Src = s3;
                        op.Size = sz3;
                        op.Kind = FastKind.Store;
                    }
                    else if (IsImmediate(ins.Op1Kind) && memSize >= 4)
                    {
                        op.Size = (byte)memSize;
                        op.Imm2 = ins.GetImmediate(1);
                        op.Kind = FastKind.StoreImm;
                    }
                }

                break;
            case Mnemonic.Lea:
                if (bitness == 64 && IsWideGpr(ins, 0, out byte ld, out byte lsz) && SimpleMemory(ins, ref op))
                {
                    op.Dst = ld;
                    op.Size = lsz;
                    op.Kind = FastKind.Lea;
                }

                break;
            case Mnemonic.Movzx:
                if (bitness == 64 && IsWideGpr(ins, 0, out byte zd, out byte zsz) && ins.Op1Kind == OpKind.Memory && SimpleMemory(ins, ref op))
                {
                    op.Dst = zd;
                    op.Size = zsz;
                    op.Kind = Operands.MemorySizeBytes(ins.MemorySize) == 1 ? FastKind.LoadZeroExtend8 : FastKind.LoadZeroExtend16;
                }

                break;
            case Mnemonic.Imul:
                if (ins.OpCount >= 2 && IsWideGpr(ins, 0, out byte md, out byte msz) && IsWideGpr(ins, 1, out byte ms, out _))
                {
                    op.Dst = md;
                    op.Src = ms;
                    op.Size = msz;
                    if (ins.OpCount == 2)
                    {
                        op.Kind = FastKind.ImulRegReg;
                    }
                    else if (IsImmediate(ins.Op2Kind))
                    {
                        op.Imm = ins.GetImmediate(2);
                        op.Kind = FastKind.ImulRegRegImm;
                    }
                }

                break;
            case Mnemonic.Shl:
            case Mnemonic.Sal:
            case Mnemonic.Shr:
            case Mnemonic.Sar:
                if (ins.OpCount == 2 && IsWideGpr(ins, 0, out byte hd, out byte hsz) && IsImmediate(ins.Op1Kind))
                {
                    op.Dst = hd;
                    op.Size = hsz;
                    op.Imm = ins.GetImmediate(1);
                    op.Sub = (byte)(m == Mnemonic.Shr ? 1 : m == Mnemonic.Sar ? 2 : 0);
                    op.Kind = FastKind.ShiftRegImm;
                }

                break;
            case Mnemonic.Inc:
            case Mnemonic.Dec:
                if (IsWideGpr(ins, 0, out byte id, out byte isz))
                {
                    op.Dst = id;
                    op.Size = isz;
                    op.Kind = m == Mnemonic.Inc ? FastKind.IncReg : FastKind.DecReg;
                }

                break;
            case Mnemonic.Jmp:
                if (ins.Op0Kind is OpKind.NearBranch16 or OpKind.NearBranch32 or OpKind.NearBranch64)
                {
                    op.Imm = ins.NearBranchTarget;
                    op.Kind = FastKind.Jmp;
                }

                break;
            case Mnemonic.Call:
                if (bitness == 64 && ins.Op0Kind == OpKind.NearBranch64)
                {
                    op.Imm = ins.NearBranchTarget;
                    op.Kind = FastKind.CallRel64;
                }

                break;
            case Mnemonic.Ret:
                if (bitness == 64 && ins.OpCount == 0 && ins.StackPointerIncrement == 8)
                {
                    op.Kind = FastKind.Ret64;
                }

                break;
            case Mnemonic.Push:
                if (bitness == 64 && ins.Op0Kind == OpKind.Register && ins.Op0Register.IsGPR64())
                {
                    op.Src = (byte)Operands.RegisterNumber(ins.Op0Register);
                    op.Kind = FastKind.PushReg64;
                }

                break;
            case Mnemonic.Pop:
                if (bitness == 64 && ins.Op0Kind == OpKind.Register && ins.Op0Register.IsGPR64())
                {
                    op.Dst = (byte)Operands.RegisterNumber(ins.Op0Register);
                    op.Kind = FastKind.PopReg64;
                }

                break;
            default:
                if (ins.Op0Kind == OpKind.Register && ins.OpCount == 1 && ins.Mnemonic >= Mnemonic.Seta && ins.Mnemonic <= Mnemonic.Sets
                    && ins.Op0Register.IsGPR8() && ins.Op0Register is not (Register.AH or Register.CH or Register.DH or Register.BH))
                {
                    op.Dst = (byte)Operands.RegisterNumber(ins.Op0Register);
                    op.Sub = (byte)ins.ConditionCode;
                    op.Kind = FastKind.SetccReg8;
                }
                else if (ins.IsJccShortOrNear)
                {
                    op.Imm = ins.NearBranchTarget;
                    op.Sub = (byte)ins.ConditionCode;
                    op.Kind = FastKind.Jcc;
                }

                break;
        }

        return op;
    }

    private static bool IsImmediate(OpKind k) => k is OpKind.Immediate8 or OpKind.Immediate16 or OpKind.Immediate32 or OpKind.Immediate64
        or OpKind.Immediate8to16 or OpKind.Immediate8to32 or OpKind.Immediate8to64 or OpKind.Immediate32to64;

    private static bool IsWideGpr(in Instruction ins, int operand, out byte number, out byte size)
    {
        number = 0;
        size = 0;
        if (ins.GetOpKind(operand) != OpKind.Register)
        {
            return false;
        }

        Register r = ins.GetOpRegister(operand);
        if (r.IsGPR64())
        {
            size = 8;
        }
        else if (r.IsGPR32())
        {
            size = 4;
        }
        else
        {
            return false;
        }

        number = (byte)Operands.RegisterNumber(r);
        return true;
    }

    /// <summary>
    /// A memory operand in 64-bit addressing whose segment has no base (not FS/GS): fills Base, Index,
    /// Scale and Imm (the displacement; Iced makes RIP-relative ones absolute).
    /// </summary>
    private static bool SimpleMemory(in Instruction ins, ref FastOp op)
    {
        if (ins.GetOpKind(0) != OpKind.Memory && ins.GetOpKind(1) != OpKind.Memory)
        {
            return false;
        }

        Register seg = ins.MemorySegment;
        Register b = ins.MemoryBase;
        Register x = ins.MemoryIndex;
        if (seg == Register.FS || seg == Register.GS)
        {
            return false;
        }

        if (b == Register.RIP)
        {
            op.Base = FastOp.NoRegister;
        }
        else if (b == Register.None || b.IsGPR64())
        {
            op.Base = b == Register.None ? FastOp.NoRegister : (byte)Operands.RegisterNumber(b);
        }
        else
        {
            return false;
        }

        if (x == Register.None)
        {
            op.Index = FastOp.NoRegister;
        }
        else if (x.IsGPR64())
        {
            op.Index = (byte)Operands.RegisterNumber(x);
        }
        else
        {
            return false;
        }

        // The fast path raises #SS for a non-canonical address exactly when the base is RSP or RBP
        // (SDM Vol. 3A, 6.15 #SS); an explicit segment override that breaks that pairing takes the slow path.
        bool stackBase = op.Base is 4 or 5;
        if ((seg == Register.SS) != stackBase)
        {
            return false;
        }

        op.Scale = (byte)global::System.Numerics.BitOperations.Log2((uint)ins.MemoryIndexScale);
        op.Imm = ins.MemoryDisplacement64;
        return true;
    }
}
