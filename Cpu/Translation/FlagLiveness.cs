using Cpu.Instructions;
using Iced.Intel;

namespace Cpu.Translation;

/// <summary>
/// Which flag-setting instructions of a compiled prefix have dead flags: a later instruction of the same
/// prefix sets all the arithmetic flags before anything reads them or may fault. Their flag work is not emitted (the
/// lazy-flag record is left as the earlier instruction wrote it, and is overwritten before it is read).
/// At the end of the prefix the flags are live (the successor may read them).
/// </summary>
public static class FlagLiveness
{
    private const RflagsBits Arithmetic = RflagsBits.OF | RflagsBits.SF | RflagsBits.ZF | RflagsBits.AF | RflagsBits.CF | RflagsBits.PF;

    /// <summary>For each of the first <paramref name="count"/> instructions: true when its flags are dead and the emitter can leave them out.</summary>
    public static bool[] DeadFlags(Instruction[] code, int count)
    {
        var dead = new bool[count];
        FlagProducer[] before = ConditionFusion.ProducersBefore(code, count);
        bool live = true;
        for (int k = count - 1; k >= 0; k--)
        {
            InstructionForm form = TranslationFrontEnd.Classify(code[k]);
            (bool reads, bool writesAll) = Effect(code[k], form, before[k]);
            dead[k] = writesAll && !live && CanSkipFlags(code[k], form);
            if (writesAll)
            {
                live = false;
            }

            if (reads)
            {
                live = true;
            }
        }

        return dead;
    }

    /// <summary>True when the emitter can leave out the flag work of <paramref name="ins"/> once its flags are dead.</summary>
    public static bool CanSkipFlags(in Instruction ins, InstructionForm form) => form switch
    {
        InstructionForm.Multiply => true,
        InstructionForm.Binary => PlainArithmetic.TryBinary(TranslationFrontEnd.Definition(ins).Declaration.Operation, out _),
        InstructionForm.Unary => PlainArithmetic.IsUnary(TranslationFrontEnd.Definition(ins).Declaration.Operation),
        InstructionForm.Shift => PlainArithmetic.TryConstantShift(ins, TranslationFrontEnd.Definition(ins).Declaration.Operation, out _, out _),
        _ => false,
    };

    // Reads: the instruction needs the flags as they were before it (conditions, carry-in, flags it keeps),
    // or it may fault: the exception frame then holds RFLAGS as they were before it.
    // WritesAll: it sets CF, PF, AF, ZF, SF and OF whatever its operands.
    private static (bool Reads, bool WritesAll) Effect(in Instruction ins, InstructionForm form, FlagProducer before)
    {
        (bool reads, bool writesAll) = FlagEffect(ins, form);

        // A read the emitter computes from the producer's operands (ConditionFusion) needs no record.
        if (form is InstructionForm.ConditionalJump or InstructionForm.SetCondition or InstructionForm.ConditionalMove &&
            ConditionFusion.CanFuse(before, ins.ConditionCode))
        {
            reads = false;
        }
        else if (form == InstructionForm.Unary && TranslationFrontEnd.Definition(ins).Declaration.CarryInOperation is not null &&
            ConditionFusion.CarryKnown(before))
        {
            reads = false;
        }

        return (reads || TranslationFrontEnd.MayFault(ins, form), writesAll);
    }

    private static (bool Reads, bool WritesAll) FlagEffect(in Instruction ins, InstructionForm form)
    {
        switch (form)
        {
            case InstructionForm.Binary:
            case InstructionForm.Unary:
            case InstructionForm.Multiply:
                {
                    // Iced's facts: a partial write (INC and DEC keep CF) reads the flags it keeps; one
                    // that leaves only CF unwritten still replaces the record (the kept CF goes into it).
                    InstructionDefinition d = TranslationFrontEnd.Definition(ins);
                    RflagsBits written = d.FlagsWritten & Arithmetic;
                    bool partial = written != RflagsBits.None && written != Arithmetic;
                    return (d.FlagsRead != RflagsBits.None || partial, written != RflagsBits.None && (written | RflagsBits.CF) == Arithmetic);
                }

            case InstructionForm.Shift when PlainArithmetic.TryConstantShift(ins, TranslationFrontEnd.Definition(ins).Declaration.Operation, out _, out _):
                return (false, true);
            case InstructionForm.Nop:
            case InstructionForm.Mov:
            case InstructionForm.MoveZeroExtend:
            case InstructionForm.MoveSignExtend:
            case InstructionForm.Lea:
            case InstructionForm.Jump:
                return (false, false);
            default:
                // A shift by zero keeps every flag; MUL/DIV and the semantic calls go through the shared methods
                // unchanged; the stack, IN and the semantic calls may fault.
                return (true, false);
        }
    }
}
