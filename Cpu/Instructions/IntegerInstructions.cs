using Cpu.Semantics;
using Cpu.Translation;
using Iced.Intel;
using static Cpu.Instructions.InstructionTraits;

namespace Cpu.Instructions;

/// <summary>The general-purpose integer instructions: data movement, arithmetic, logic, shifts, bits, flags, BCD.</summary>
internal static class IntegerInstructions
{
    public static void Declare(InstructionTableBuilder b)
    {
        DeclareMoves(b);
        DeclareArithmetic(b);
        DeclareShiftsAndBits(b);
        DeclareFlagsAndConversions(b);
    }

    private static void DeclareMoves(InstructionTableBuilder b)
    {
        b.Declare(Mnemonic.Mov, DataTransfer.Mov, i => !OperandForms.IsSegment(i, 0) && !OperandForms.NamesControlOrDebug(i)).Compiled(InstructionForm.Mov);

        // MOV Sreg, r/m loads a descriptor and may change the mode; MOV CRn/DRn is a system instruction.
        b.Declare(Mnemonic.Mov, DataTransfer.Mov, i => OperandForms.IsSegment(i, 0)).With(EndsBlock | MayFault);
        b.Declare(Mnemonic.Mov, DataTransfer.Mov, OperandForms.NamesControlOrDebug).With(EndsBlock | MayFault | Privileged);
        b.Declare(Mnemonic.Movzx, DataTransfer.MoveZeroExtend).Compiled(InstructionForm.MoveZeroExtend);
        b.Declare(Mnemonic.Movsx, DataTransfer.MoveSignExtend).Compiled(InstructionForm.MoveSignExtend);
        b.Declare(Mnemonic.Movsxd, DataTransfer.MoveSignExtend).Compiled(InstructionForm.MoveSignExtend);
        b.Declare(Mnemonic.Lea, DataTransfer.Lea).Compiled(InstructionForm.Lea);
        b.Declare(Mnemonic.Xchg, DataTransfer.Xchg);
        b.Declare(Mnemonic.Bswap, DataTransfer.Bswap);
        b.Declare(Mnemonic.Movbe, DataTransfer.Movbe);
        b.Declare(Mnemonic.Xlatb, DataTransfer.Xlat);
        b.Declare(Mnemonic.In, DataTransfer.In).With(MayFault | Privileged).Compiled(InstructionForm.PortIn);
        b.Declare(Mnemonic.Out, DataTransfer.Out).With(MayFault | Privileged);
        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Nop, Mnemonic.Pause, Mnemonic.Endbr32, Mnemonic.Endbr64])
        {
            b.Declare(m, DataTransfer.Nop).Compiled(InstructionForm.Nop);
        }

        // Fences, prefetches and cache flushes: no architectural effect on a single in-order processor.
        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Lfence, Mnemonic.Mfence, Mnemonic.Sfence, Mnemonic.Prefetchnta, Mnemonic.Prefetcht0,
            Mnemonic.Prefetcht1, Mnemonic.Prefetcht2, Mnemonic.Prefetchw, Mnemonic.Clflush, Mnemonic.Clflushopt, Mnemonic.Clwb])
        {
            b.Declare(m, DataTransfer.Nop);
        }

        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Movsb, Mnemonic.Movsw, Mnemonic.Movsd, Mnemonic.Movsq, Mnemonic.Stosb, Mnemonic.Stosw,
            Mnemonic.Stosd, Mnemonic.Stosq, Mnemonic.Lodsb, Mnemonic.Lodsw, Mnemonic.Lodsd, Mnemonic.Lodsq, Mnemonic.Cmpsb, Mnemonic.Cmpsw,
            Mnemonic.Cmpsd, Mnemonic.Cmpsq, Mnemonic.Scasb, Mnemonic.Scasw, Mnemonic.Scasd, Mnemonic.Scasq])
        {
            b.Declare(m, SystemForms.String, OperandForms.IsString).With(MayFault);
        }

        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Insb, Mnemonic.Insw, Mnemonic.Insd, Mnemonic.Outsb, Mnemonic.Outsw, Mnemonic.Outsd])
        {
            b.Declare(m, SystemForms.String).With(MayFault | Privileged);
        }
    }

    private static void DeclareArithmetic(InstructionTableBuilder b)
    {
        b.Declare(Mnemonic.Add, IntegerArithmetic.Binary).Compiled(InstructionForm.Binary, (BinaryOperation)Alu.Add, FlagProducer.Add);
        b.Declare(Mnemonic.Or, IntegerArithmetic.Binary).Compiled(InstructionForm.Binary, (BinaryOperation)Alu.Or, FlagProducer.Logic);
        b.Declare(Mnemonic.Adc, IntegerArithmetic.Binary).Compiled(InstructionForm.Binary, (BinaryOperation)Alu.Adc);
        b.Declare(Mnemonic.Sbb, IntegerArithmetic.Binary).Compiled(InstructionForm.Binary, (BinaryOperation)Alu.Sbb);
        b.Declare(Mnemonic.And, IntegerArithmetic.Binary).Compiled(InstructionForm.Binary, (BinaryOperation)Alu.And, FlagProducer.Logic);
        b.Declare(Mnemonic.Sub, IntegerArithmetic.Binary).Compiled(InstructionForm.Binary, (BinaryOperation)Alu.Sub, FlagProducer.Subtract);
        b.Declare(Mnemonic.Xor, IntegerArithmetic.Binary).Compiled(InstructionForm.Binary, (BinaryOperation)Alu.Xor, FlagProducer.Logic);
        b.Declare(Mnemonic.Cmp, IntegerArithmetic.Binary).With(CompareOnly).Compiled(InstructionForm.Binary, (BinaryOperation)Alu.Sub, FlagProducer.Subtract);
        b.Declare(Mnemonic.Test, IntegerArithmetic.Binary).With(CompareOnly).Compiled(InstructionForm.Binary, (BinaryOperation)Alu.And, FlagProducer.Logic);
        b.Declare(Mnemonic.Inc, IntegerArithmetic.Unary).Compiled(InstructionForm.Unary, (UnaryOperation)Alu.Inc, FlagProducer.IncrementDecrement, (CarryInOperation)Alu.Inc);
        b.Declare(Mnemonic.Dec, IntegerArithmetic.Unary).Compiled(InstructionForm.Unary, (UnaryOperation)Alu.Dec, FlagProducer.IncrementDecrement, (CarryInOperation)Alu.Dec);
        b.Declare(Mnemonic.Neg, IntegerArithmetic.Unary).Compiled(InstructionForm.Unary, (UnaryOperation)Alu.Neg);
        b.Declare(Mnemonic.Not, IntegerArithmetic.Unary).Compiled(InstructionForm.Unary, (FlaglessOperation)Alu.Not);
        b.Declare(Mnemonic.Imul, IntegerArithmetic.Imul, i => i.OpCount >= 2).Compiled(InstructionForm.Multiply);
        b.Declare(Mnemonic.Imul, IntegerArithmetic.Imul, i => i.OpCount == 1).Compiled(InstructionForm.WideMultiplyDivide, (WideOperation)MulDiv.Imul1);
        b.Declare(Mnemonic.Mul, IntegerArithmetic.Mul).Compiled(InstructionForm.WideMultiplyDivide, (WideOperation)MulDiv.Mul);
        b.Declare(Mnemonic.Div, IntegerArithmetic.Div).With(MayFault).Compiled(InstructionForm.WideMultiplyDivide, (WideOperation)MulDiv.Div);
        b.Declare(Mnemonic.Idiv, IntegerArithmetic.Idiv).With(MayFault).Compiled(InstructionForm.WideMultiplyDivide, (WideOperation)MulDiv.Idiv);
        b.Declare(Mnemonic.Xadd, IntegerArithmetic.Xadd);
        b.Declare(Mnemonic.Cmpxchg, CompareExchange.Cmpxchg);
        b.Declare(Mnemonic.Cmpxchg8b, CompareExchange.Cmpxchg8b).With(MayFault);
        b.Declare(Mnemonic.Cmpxchg16b, CompareExchange.Cmpxchg16b).With(MayFault);
        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Daa, Mnemonic.Das, Mnemonic.Aaa, Mnemonic.Aas])
        {
            b.Declare(m, DecimalAdjust.Execute);
        }

        // AAM 0 raises #DE.
        b.Declare(Mnemonic.Aam, DecimalAdjust.Execute).With(MayFault);
        b.Declare(Mnemonic.Aad, DecimalAdjust.Execute);
    }

    private static void DeclareShiftsAndBits(InstructionTableBuilder b)
    {
        b.Declare(Mnemonic.Shl, ShiftForms.Shift).With(ConditionalFlags).Compiled(InstructionForm.Shift, (BinaryOperation)Shifts.Shl);
        b.Declare(Mnemonic.Sal, ShiftForms.Shift).With(ConditionalFlags).Compiled(InstructionForm.Shift, (BinaryOperation)Shifts.Shl);
        b.Declare(Mnemonic.Shr, ShiftForms.Shift).With(ConditionalFlags).Compiled(InstructionForm.Shift, (BinaryOperation)Shifts.Shr);
        b.Declare(Mnemonic.Sar, ShiftForms.Shift).With(ConditionalFlags).Compiled(InstructionForm.Shift, (BinaryOperation)Shifts.Sar);
        b.Declare(Mnemonic.Rol, ShiftForms.Shift).With(ConditionalFlags).Compiled(InstructionForm.Shift, (BinaryOperation)Shifts.Rol);
        b.Declare(Mnemonic.Ror, ShiftForms.Shift).With(ConditionalFlags).Compiled(InstructionForm.Shift, (BinaryOperation)Shifts.Ror);
        b.Declare(Mnemonic.Rcl, ShiftForms.Shift).With(ConditionalFlags).Compiled(InstructionForm.Shift, (BinaryOperation)Shifts.Rcl);
        b.Declare(Mnemonic.Rcr, ShiftForms.Shift).With(ConditionalFlags).Compiled(InstructionForm.Shift, (BinaryOperation)Shifts.Rcr);
        b.Declare(Mnemonic.Shld, ShiftForms.DoubleShift).With(ConditionalFlags);
        b.Declare(Mnemonic.Shrd, ShiftForms.DoubleShift).With(ConditionalFlags);
        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Bt, Mnemonic.Bts, Mnemonic.Btr, Mnemonic.Btc])
        {
            b.Declare(m, BitForms.BitTest);
        }

        b.Declare(Mnemonic.Bsf, BitForms.BitScan);
        b.Declare(Mnemonic.Bsr, BitForms.BitScan);
        b.Declare(Mnemonic.Tzcnt, BitForms.Tzcnt);
        b.Declare(Mnemonic.Lzcnt, BitForms.Lzcnt);
        b.Declare(Mnemonic.Popcnt, BitForms.Popcnt);
        b.Declare(Mnemonic.Crc32, BitForms.Crc32);

        // MOVNTI (SSE2) is a store from a general register: the non-temporal hint changes nothing here.
        b.Declare(Mnemonic.Movnti, DataTransfer.Mov);
        b.Declare(Mnemonic.Andn, BitForms.Andn);
        b.Declare(Mnemonic.Bextr, BitForms.Bextr);
        b.Declare(Mnemonic.Blsi, BitForms.Blsi);
        b.Declare(Mnemonic.Blsmsk, BitForms.Blsmsk);
        b.Declare(Mnemonic.Blsr, BitForms.Blsr);
    }

    private static void DeclareFlagsAndConversions(InstructionTableBuilder b)
    {
        b.Declare(Mnemonic.Cbw, SignExtension.Cbw);
        b.Declare(Mnemonic.Cwde, SignExtension.Cwde);
        b.Declare(Mnemonic.Cdqe, SignExtension.Cdqe);
        b.Declare(Mnemonic.Cwd, SignExtension.Cwd);
        b.Declare(Mnemonic.Cdq, SignExtension.Cdq);
        b.Declare(Mnemonic.Cqo, SignExtension.Cqo);
        b.Declare(Mnemonic.Clc, FlagControl.Clc);
        b.Declare(Mnemonic.Stc, FlagControl.Stc);
        b.Declare(Mnemonic.Cmc, FlagControl.Cmc);
        b.Declare(Mnemonic.Cld, FlagControl.Cld);
        b.Declare(Mnemonic.Std, FlagControl.Std);
        b.Declare(Mnemonic.Lahf, FlagControl.Lahf);
        b.Declare(Mnemonic.Sahf, FlagControl.Sahf);

        // CLI and STI change IF: the block ends so that a pending interrupt is taken (STI: after the next instruction).
        b.Declare(Mnemonic.Cli, FlagControl.Cli).With(EndsBlock | MayFault | Privileged);
        b.Declare(Mnemonic.Sti, FlagControl.Sti).With(EndsBlock | MayFault | Privileged);
    }
}
