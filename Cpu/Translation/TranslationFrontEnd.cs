using Cpu.Decode;
using Cpu.Instructions;
using Iced.Intel;

namespace Cpu.Translation;

/// <summary>
/// Decides which instructions of a decoded block the IL emitter translates, and in which form, from the
/// instruction table: a declared form of the JIT's own when the operands fit it, otherwise
/// <see cref="InstructionForm.CallSemantics"/>. Only what the table marks
/// <see cref="InstructionTraits.Interpreted"/> ends the compiled prefix; the interpreter runs it and the rest.
/// Repeated string instructions are called like any other semantics: one that stops part-way leaves the
/// block with RIP on itself.
/// </summary>
public static class TranslationFrontEnd
{
    /// <summary>How many instructions from the start of <paramref name="block"/> can be translated.</summary>
    public static int TranslatablePrefix(DecodedBlock block)
    {
        Instruction[] code = block.Instructions;
        int n = 0;
        while (n < block.Count && Classify(code[n]) is var form && form != InstructionForm.None)
        {
            n++;
            if (EndsPrefix(code[n - 1], form))
            {
                break;
            }
        }

        return n;
    }

    /// <summary>True for the control transfers a compiled prefix ends with (the last instruction of its block).</summary>
    public static bool EndsPrefix(in Instruction ins, InstructionForm form) =>
        form is InstructionForm.ConditionalJump or InstructionForm.Jump or InstructionForm.Call or InstructionForm.Return ||
        (form == InstructionForm.CallSemantics && Definition(ins).Has(InstructionTraits.Branch));

    /// <summary>
    /// True when the prefix of <paramref name="count"/> instructions covers the block and ends with a called
    /// instruction that ends blocks (SYSCALL, SYSRET, IRET, INT, a CR3 or MSR write, a far transfer, HLT...).
    /// </summary>
    public static bool EndsAtSystemInstruction(DecodedBlock block, int count) =>
        count == block.Count && count > 0 && Classify(block.Instructions[count - 1]) == InstructionForm.CallSemantics &&
        Definition(block.Instructions[count - 1]).Has(InstructionTraits.EndsBlock);

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

    /// <summary>
    /// True when <paramref name="ins"/> may raise a guest exception: declared so (stack, #DE, I/O permission),
    /// a memory operand, or a call of its semantic method (which the JIT does not look into).
    /// </summary>
    public static bool MayFault(in Instruction ins, InstructionForm form)
    {
        if (form == InstructionForm.CallSemantics || Definition(ins).Has(InstructionTraits.MayFault))
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

    /// <summary>The definition of a translated instruction (declared, or it would not be translated).</summary>
    public static InstructionDefinition Definition(in Instruction ins) => InstructionTable.Find(ins.Code)!;

    /// <summary>The form in which <paramref name="ins"/> is translated, or <see cref="InstructionForm.None"/>.</summary>
    public static InstructionForm Classify(in Instruction ins)
    {
        if (InstructionTable.Find(ins.Code) is not { } definition || definition.Has(InstructionTraits.Interpreted))
        {
            return InstructionForm.None;
        }

        InstructionForm form = definition.Declaration.Form;
        return form == InstructionForm.CallSemantics || Fits(ins, form) ? form : InstructionForm.CallSemantics;
    }

    // The operand shapes the JIT's own forms emit; other shapes of the same code call the semantic method.
    private static bool Fits(in Instruction ins, InstructionForm form) => form switch
    {
        InstructionForm.Mov or InstructionForm.Binary =>
            (IsGpr(ins, 0) && (IsGpr(ins, 1) || IsMemory(ins, 1) || IsImmediate(ins, 1))) ||
            (IsMemory(ins, 0) && (IsGpr(ins, 1) || IsImmediate(ins, 1))),
        InstructionForm.Unary or InstructionForm.SetCondition => ins.OpCount == 1 && (IsGpr(ins, 0) || IsMemory(ins, 0)),
        InstructionForm.Shift => (IsGpr(ins, 0) || IsMemory(ins, 0)) && (ins.OpCount == 1 || IsImmediate(ins, 1) || IsGpr(ins, 1)),
        InstructionForm.MoveZeroExtend or InstructionForm.MoveSignExtend or InstructionForm.ConditionalMove =>
            IsGpr(ins, 0) && (IsGpr(ins, 1) || IsMemory(ins, 1)),
        InstructionForm.Lea => IsGpr(ins, 0) && IsMemory(ins, 1),
        InstructionForm.Multiply => IsGpr(ins, 0) && (IsGpr(ins, 1) || IsMemory(ins, 1)) && (ins.OpCount == 2 || IsImmediate(ins, 2)),
        InstructionForm.WideMultiplyDivide => IsGpr(ins, 0) || IsMemory(ins, 0),
        InstructionForm.Push => ins.OpCount == 1 && (IsGpr(ins, 0) || IsImmediate(ins, 0) || IsMemory(ins, 0)),
        InstructionForm.Pop => ins.OpCount == 1 && IsGpr(ins, 0),
        InstructionForm.Jump or InstructionForm.Call or InstructionForm.ConditionalJump => IsNearBranch(ins),
        InstructionForm.PortIn => IsGpr(ins, 0) && (IsGpr(ins, 1) || IsImmediate(ins, 1)),
        _ => true,
    };

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
