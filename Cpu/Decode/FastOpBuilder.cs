using System.Reflection;
using Cpu.Instructions;
using Cpu.Semantics;
using Cpu.Translation;
using Iced.Intel;

namespace Cpu.Decode;

/// <summary>
/// Recognizes the instruction forms of <see cref="FastKind"/> when a block is decoded. Which family an
/// instruction belongs to comes from its declaration in <see cref="InstructionTable"/> (its compiled form
/// and operation); this class only checks the operands the fast forms accept.
/// </summary>
public static class FastOpBuilder
{
    // Per Iced code, from its declaration: the form the JIT emits it in (which is also the fast form's
    // family) and the fast dispatcher's operation number (AluKind, ShiftKind, or Inc 0 / Dec 1), -1 for none.
    private static readonly InstructionForm[] Forms = new InstructionForm[Enum.GetValues<Code>().Length];
    private static readonly sbyte[] OperationKinds = BuildOperationKinds();

    public static FastOp Build(in Instruction ins, int bitness)
    {
        var op = new FastOp { NextIp = ins.NextIP };
        if (ins.IsInvalid || ins.HasLockPrefix)
        {
            return op;
        }

        int kind = OperationKinds[(int)ins.Code];
        switch (Forms[(int)ins.Code])
        {
            case InstructionForm.Binary when kind >= 0:
                BuildAlu(ins, bitness, kind, ref op);
                break;
            case InstructionForm.Mov:
                BuildMov(ins, bitness, ref op);
                break;
            case InstructionForm.Lea:
                if (bitness == 64 && IsWideGpr(ins, 0, out byte ld, out byte lsz) && SimpleMemory(ins, ref op))
                {
                    op.Dst = ld;
                    op.Size = lsz;
                    op.Kind = FastKind.Lea;
                }

                break;
            case InstructionForm.MoveZeroExtend:
                if (bitness == 64 && IsWideGpr(ins, 0, out byte zd, out byte zsz) && ins.Op1Kind == OpKind.Memory && SimpleMemory(ins, ref op))
                {
                    op.Dst = zd;
                    op.Size = zsz;
                    op.Kind = Operands.MemorySizeBytes(ins.MemorySize) == 1 ? FastKind.LoadZeroExtend8 : FastKind.LoadZeroExtend16;
                }

                break;
            case InstructionForm.Multiply:
                if (IsWideGpr(ins, 0, out byte md, out byte msz) && IsWideGpr(ins, 1, out byte ms, out _))
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
            case InstructionForm.Shift when kind >= 0:
                if (ins.OpCount == 2 && IsWideGpr(ins, 0, out byte hd, out byte hsz) && IsImmediate(ins.Op1Kind))
                {
                    op.Dst = hd;
                    op.Size = hsz;
                    op.Imm = ins.GetImmediate(1);
                    op.Sub = (byte)kind;
                    op.Kind = FastKind.ShiftRegImm;
                }

                break;
            case InstructionForm.Unary when kind >= 0:
                if (IsWideGpr(ins, 0, out byte id, out byte isz))
                {
                    op.Dst = id;
                    op.Size = isz;
                    op.Kind = kind == 0 ? FastKind.IncReg : FastKind.DecReg;
                }

                break;
            case InstructionForm.Jump:
                op.Imm = ins.NearBranchTarget;
                op.Kind = FastKind.Jmp;
                break;
            case InstructionForm.Call:
                if (bitness == 64 && ins.Op0Kind == OpKind.NearBranch64)
                {
                    op.Imm = ins.NearBranchTarget;
                    op.Kind = FastKind.CallRel64;
                }

                break;
            case InstructionForm.Return:
                if (bitness == 64 && ins.OpCount == 0 && ins.StackPointerIncrement == 8)
                {
                    op.Kind = FastKind.Ret64;
                }

                break;
            case InstructionForm.Push:
                if (bitness == 64 && ins.Op0Kind == OpKind.Register && ins.Op0Register.IsGPR64())
                {
                    op.Src = (byte)Operands.RegisterNumber(ins.Op0Register);
                    op.Kind = FastKind.PushReg64;
                }

                break;
            case InstructionForm.Pop:
                if (bitness == 64 && ins.Op0Kind == OpKind.Register && ins.Op0Register.IsGPR64())
                {
                    op.Dst = (byte)Operands.RegisterNumber(ins.Op0Register);
                    op.Kind = FastKind.PopReg64;
                }

                break;
            case InstructionForm.SetCondition:
                if (ins.Op0Kind == OpKind.Register && ins.Op0Register.IsGPR8()
                    && ins.Op0Register is not (Register.AH or Register.CH or Register.DH or Register.BH))
                {
                    op.Dst = (byte)Operands.RegisterNumber(ins.Op0Register);
                    op.Sub = (byte)ins.ConditionCode;
                    op.Kind = FastKind.SetccReg8;
                }

                break;
            case InstructionForm.ConditionalJump:
                op.Imm = ins.NearBranchTarget;
                op.Sub = (byte)ins.ConditionCode;
                op.Kind = FastKind.Jcc;
                break;
        }

        return op;
    }

    /// <summary>Fuses each compare (or DEC) directly followed by a Jcc into one dispatch (see <see cref="FastKind.CmpRegRegJcc"/>).</summary>
    public static void Fuse(FastOp[] ops, int count)
    {
        for (int i = 0; i + 1 < count; i++)
        {
            ref FastOp jcc = ref ops[i + 1];
            if (jcc.Kind != FastKind.Jcc)
            {
                continue;
            }

            ref FastOp op = ref ops[i];
            FastKind fused = op.Kind switch
            {
                FastKind.CmpRegReg => FastKind.CmpRegRegJcc,
                FastKind.CmpRegImm => FastKind.CmpRegImmJcc,
                FastKind.TestRegReg => FastKind.TestRegRegJcc,
                FastKind.DecReg => FastKind.DecRegJcc,
                _ => FastKind.Generic,
            };
            if (fused != FastKind.Generic)
            {
                op.Kind = fused;
                op.Sub = jcc.Sub;
                op.Imm2 = jcc.Imm;
            }
        }
    }

    private static void BuildAlu(in Instruction ins, int bitness, int alu, ref FastOp op)
    {
        if (!IsWideGpr(ins, 0, out byte dst, out byte size))
        {
            return;
        }

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

        op.Kind = Specialize(op.Kind, alu);
    }

    private static void BuildMov(in Instruction ins, int bitness, ref FastOp op)
    {
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
    }

    private static sbyte[] BuildOperationKinds()
    {
        var kinds = new sbyte[Forms.Length];
        Array.Fill(kinds, (sbyte)-1);
        MethodInfo inc = ((UnaryOperation)Alu.Inc).Method;
        MethodInfo dec = ((UnaryOperation)Alu.Dec).Method;
        foreach (InstructionDefinition d in InstructionTable.All)
        {
            InstructionDeclaration decl = d.Declaration;
            Forms[(int)d.Code] = decl.Form;
            kinds[(int)d.Code] = (sbyte)(decl.Form switch
            {
                InstructionForm.Binary => AluKind.Of(decl.Operation, d.Has(InstructionTraits.CompareOnly)),
                InstructionForm.Shift => ShiftKind.Of(decl.Operation),
                InstructionForm.Unary => decl.Operation == inc ? 0 : decl.Operation == dec ? 1 : -1,
                _ => -1,
            });
        }

        return kinds;
    }

    /// <summary>The kind of its own for a common ALU operation, or the generic ALU kind.</summary>
    private static FastKind Specialize(FastKind kind, int alu) => (kind, alu) switch
    {
        (FastKind.AluRegReg, AluKind.Add) => FastKind.AddRegReg,
        (FastKind.AluRegReg, AluKind.Sub) => FastKind.SubRegReg,
        (FastKind.AluRegReg, AluKind.And) => FastKind.AndRegReg,
        (FastKind.AluRegReg, AluKind.Or) => FastKind.OrRegReg,
        (FastKind.AluRegReg, AluKind.Xor) => FastKind.XorRegReg,
        (FastKind.AluRegReg, AluKind.Cmp) => FastKind.CmpRegReg,
        (FastKind.AluRegReg, AluKind.Test) => FastKind.TestRegReg,
        (FastKind.AluRegImm, AluKind.Add) => FastKind.AddRegImm,
        (FastKind.AluRegImm, AluKind.Sub) => FastKind.SubRegImm,
        (FastKind.AluRegImm, AluKind.And) => FastKind.AndRegImm,
        (FastKind.AluRegImm, AluKind.Or) => FastKind.OrRegImm,
        (FastKind.AluRegImm, AluKind.Xor) => FastKind.XorRegImm,
        (FastKind.AluRegImm, AluKind.Cmp) => FastKind.CmpRegImm,
        (FastKind.AluRegImm, AluKind.Test) => FastKind.TestRegImm,
        (FastKind.AluRegMem, AluKind.Add) => FastKind.AddRegMem,
        (FastKind.AluRegMem, AluKind.Sub) => FastKind.SubRegMem,
        (FastKind.AluRegMem, AluKind.Cmp) => FastKind.CmpRegMem,
        _ => kind,
    };

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
