using Iced.Intel;

namespace Cpu.Translation;

/// <summary>
/// Which flag reads of a block the emitter computes from the instruction that set the flags (its operands
/// and result in IL locals) instead of from the lazy-flag record: the rules <see cref="BlockEmitter"/>
/// emits by and <see cref="FlagLiveness"/> counts by, so that a record only such reads need is left out.
/// </summary>
public static class ConditionFusion
{
    /// <summary>The producer an instruction is modelled as (the flags it sets, from its operands and result), or Unknown.</summary>
    public static FlagProducer ProducerOf(in Instruction ins, InstructionForm form) =>
        form is InstructionForm.Binary or InstructionForm.Unary ? TranslationFrontEnd.Definition(ins).Declaration.Producer : FlagProducer.Unknown;

    /// <summary>Forms that change no flag: the last producer still holds across them.</summary>
    public static bool KeepsFlags(InstructionForm form) => form is InstructionForm.Nop or InstructionForm.Mov
        or InstructionForm.MoveZeroExtend or InstructionForm.MoveSignExtend or InstructionForm.Lea or InstructionForm.Push
        or InstructionForm.Pop or InstructionForm.SetCondition or InstructionForm.ConditionalMove or InstructionForm.PortIn
        or InstructionForm.ConditionalJump or InstructionForm.Jump;

    /// <summary>
    /// True when condition <paramref name="cc"/> can be computed from <paramref name="producer"/> (Intel SDM
    /// Appendix B): ZF and SF from any result, CF and OF from SUB/CMP or logic, not PF, not OF after SUB
    /// (the emitter does not model it), not CF or OF after ADD or INC/DEC.
    /// </summary>
    public static bool CanFuse(FlagProducer producer, ConditionCode cc)
    {
        if (producer == FlagProducer.Unknown || cc is ConditionCode.p or ConditionCode.np)
        {
            return false;
        }

        bool resultOnly = cc is ConditionCode.e or ConditionCode.ne or ConditionCode.s or ConditionCode.ns;
        return !(producer is FlagProducer.Add or FlagProducer.IncrementDecrement && !resultOnly) &&
            !(producer == FlagProducer.Subtract && cc is ConditionCode.o or ConditionCode.no);
    }

    /// <summary>True when the CF <paramref name="producer"/> sets can be computed (INC and DEC keep it).</summary>
    public static bool CarryKnown(FlagProducer producer) => CanFuse(producer, ConditionCode.b);

    /// <summary>For each instruction of the prefix, the producer whose flags it finds (Unknown at the block's start).</summary>
    public static FlagProducer[] ProducersBefore(Instruction[] code, int count)
    {
        var before = new FlagProducer[count];
        FlagProducer current = FlagProducer.Unknown;
        for (int k = 0; k < count; k++)
        {
            before[k] = current;
            InstructionForm form = TranslationFrontEnd.Classify(code[k]);
            if (!KeepsFlags(form))
            {
                current = ProducerOf(code[k], form);
            }
        }

        return before;
    }
}
