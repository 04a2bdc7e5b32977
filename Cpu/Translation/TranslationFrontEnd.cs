using Cpu.Decode;
using Iced.Intel;

namespace Cpu.Translation;

/// <summary>
/// Decides which instructions of a decoded block the IL emitter translates, and in which form. Only
/// plain integer instructions on general-purpose registers, memory and immediates are translated; the
/// first one that is not (system, string, far or indirect control flow, anything that ends a block
/// except a direct jump) ends the compiled prefix, and the interpreter runs it and the rest of the block.
/// </summary>
public static class TranslationFrontEnd
{
    /// <summary>How many instructions from the start of <paramref name="block"/> can be translated.</summary>
    public static int TranslatablePrefix(DecodedBlock block)
    {
        Instruction[] code = block.Instructions;
        int n = 0;
        while (n < block.Count && Classify(code[n]) != InstructionForm.None)
        {
            InstructionForm form = Classify(code[n]);
            n++;
            if (EndsPrefix(form))
            {
                break;
            }
        }

        return n;
    }

    /// <summary>True for the control transfers a compiled prefix ends with (the last instruction of its block).</summary>
    public static bool EndsPrefix(InstructionForm form) =>
        form is InstructionForm.ConditionalJump or InstructionForm.Jump or InstructionForm.Call or InstructionForm.Return;

    /// <summary>True when the prefix of <paramref name="count"/> instructions ends in a branch back to the block's start.</summary>
    public static bool LoopsOntoItself(DecodedBlock block, int count)
    {
        if (count == 0)
        {
            return false;
        }

        Instruction last = block.Instructions[count - 1];
        return Classify(last) is InstructionForm.ConditionalJump or InstructionForm.Jump && last.NearBranchTarget == block.LinearStart;
    }

    /// <summary>True when <paramref name="ins"/> may raise a guest exception (memory, stack, #DE, I/O permission).</summary>
    public static bool MayFault(in Instruction ins, InstructionForm form)
    {
        if (form is InstructionForm.Push or InstructionForm.Pop or InstructionForm.Call or InstructionForm.Return
            or InstructionForm.PortIn or InstructionForm.WideMultiplyDivide)
        {
            return true;
        }

        if (form is InstructionForm.Lea or InstructionForm.Nop)
        {
            return false;
        }

        for (int op = 0; op < ins.OpCount; op++)
        {
            if (ins.GetOpKind(op) == OpKind.Memory)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The form in which <paramref name="ins"/> is translated, or <see cref="InstructionForm.None"/>.</summary>
    public static InstructionForm Classify(in Instruction ins)
    {
        if (ins.IsInvalid)
        {
            return InstructionForm.None;
        }

        switch (ins.Mnemonic)
        {
            case Mnemonic.Nop:
            case Mnemonic.Pause:
            case Mnemonic.Endbr32:
            case Mnemonic.Endbr64:
                return InstructionForm.Nop;
            case Mnemonic.Mov:
                if (IsGpr(ins, 0) && (IsGpr(ins, 1) || IsMemory(ins, 1) || IsImmediate(ins, 1)))
                {
                    return InstructionForm.Mov;
                }

                return IsMemory(ins, 0) && (IsGpr(ins, 1) || IsImmediate(ins, 1)) ? InstructionForm.Mov : InstructionForm.None;
            case Mnemonic.Add:
            case Mnemonic.Or:
            case Mnemonic.Adc:
            case Mnemonic.Sbb:
            case Mnemonic.And:
            case Mnemonic.Sub:
            case Mnemonic.Xor:
            case Mnemonic.Cmp:
            case Mnemonic.Test:
                if (IsGpr(ins, 0) && (IsGpr(ins, 1) || IsMemory(ins, 1) || IsImmediate(ins, 1)))
                {
                    return InstructionForm.Binary;
                }

                return IsMemory(ins, 0) && (IsGpr(ins, 1) || IsImmediate(ins, 1)) ? InstructionForm.Binary : InstructionForm.None;
            case Mnemonic.Inc:
            case Mnemonic.Dec:
            case Mnemonic.Neg:
            case Mnemonic.Not:
                return ins.OpCount == 1 && (IsGpr(ins, 0) || IsMemory(ins, 0)) ? InstructionForm.Unary : InstructionForm.None;
            case Mnemonic.Shl:
            case Mnemonic.Sal:
            case Mnemonic.Shr:
            case Mnemonic.Sar:
            case Mnemonic.Rol:
            case Mnemonic.Ror:
            case Mnemonic.Rcl:
            case Mnemonic.Rcr:
                if (!(IsGpr(ins, 0) || IsMemory(ins, 0)))
                {
                    return InstructionForm.None;
                }

                return ins.OpCount == 1 || IsImmediate(ins, 1) || IsGpr(ins, 1) ? InstructionForm.Shift : InstructionForm.None;
            case Mnemonic.Movzx:
                return IsGpr(ins, 0) && (IsGpr(ins, 1) || IsMemory(ins, 1)) ? InstructionForm.MoveZeroExtend : InstructionForm.None;
            case Mnemonic.Movsx:
            case Mnemonic.Movsxd:
                return IsGpr(ins, 0) && (IsGpr(ins, 1) || IsMemory(ins, 1)) ? InstructionForm.MoveSignExtend : InstructionForm.None;
            case Mnemonic.Lea:
                return IsGpr(ins, 0) && IsMemory(ins, 1) ? InstructionForm.Lea : InstructionForm.None;
            case Mnemonic.Imul when ins.OpCount >= 2:
                return IsGpr(ins, 0) && (IsGpr(ins, 1) || IsMemory(ins, 1)) && (ins.OpCount == 2 || IsImmediate(ins, 2)) ? InstructionForm.Multiply : InstructionForm.None;
            case Mnemonic.Imul:
            case Mnemonic.Mul:
            case Mnemonic.Div:
            case Mnemonic.Idiv:
                return IsGpr(ins, 0) || IsMemory(ins, 0) ? InstructionForm.WideMultiplyDivide : InstructionForm.None;
            case Mnemonic.Push:
                return ins.OpCount == 1 && (IsGpr(ins, 0) || IsImmediate(ins, 0) || IsMemory(ins, 0)) ? InstructionForm.Push : InstructionForm.None;
            case Mnemonic.Pop:
                return ins.OpCount == 1 && IsGpr(ins, 0) ? InstructionForm.Pop : InstructionForm.None;
            case Mnemonic.Jmp:
                return IsNearBranch(ins) ? InstructionForm.Jump : InstructionForm.None;
            case Mnemonic.Call:
                // CALL rel (CALL r/m and far calls stay with the interpreter).
                return IsNearBranch(ins) ? InstructionForm.Call : InstructionForm.None;
            case Mnemonic.Ret:
                // Near RET and RET imm16 (RETF is Mnemonic.Retf).
                return InstructionForm.Return;
            case Mnemonic.In:
                // IN AL/AX/EAX, imm8 or DX (not INS): device polling loops, such as a PIT calibration.
                return IsGpr(ins, 0) && (IsGpr(ins, 1) || IsImmediate(ins, 1)) ? InstructionForm.PortIn : InstructionForm.None;
            default:
                if (ins.ConditionCode == ConditionCode.None)
                {
                    return InstructionForm.None;
                }

                if (ins.FlowControl == FlowControl.ConditionalBranch && ins.Mnemonic is >= Mnemonic.Ja and <= Mnemonic.Js && IsNearBranch(ins))
                {
                    return InstructionForm.ConditionalJump;
                }

                if (ins.Mnemonic is >= Mnemonic.Seta and <= Mnemonic.Sets && ins.OpCount == 1 && (IsGpr(ins, 0) || IsMemory(ins, 0)))
                {
                    return InstructionForm.SetCondition;
                }

                if (ins.Mnemonic is >= Mnemonic.Cmova and <= Mnemonic.Cmovs && IsGpr(ins, 0) && (IsGpr(ins, 1) || IsMemory(ins, 1)))
                {
                    return InstructionForm.ConditionalMove;
                }

                return InstructionForm.None;
        }
    }

    private static bool IsGpr(in Instruction ins, int op) =>
        op < ins.OpCount && ins.GetOpKind(op) == OpKind.Register && ins.GetOpRegister(op).IsGPR();

    private static bool IsMemory(in Instruction ins, int op) =>
        op < ins.OpCount && ins.GetOpKind(op) == OpKind.Memory;

    private static bool IsImmediate(in Instruction ins, int op) =>
        op < ins.OpCount && ins.GetOpKind(op) is OpKind.Immediate8 or OpKind.Immediate16 or OpKind.Immediate32 or OpKind.Immediate64
            or OpKind.Immediate8to16 or OpKind.Immediate8to32 or OpKind.Immediate8to64 or OpKind.Immediate32to64;

    private static bool IsNearBranch(in Instruction ins) =>
        ins.OpCount == 1 && ins.Op0Kind is OpKind.NearBranch16 or OpKind.NearBranch32 or OpKind.NearBranch64;
}
