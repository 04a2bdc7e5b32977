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
    /// <summary>For each of the first <paramref name="count"/> instructions: true when its flags are dead and the emitter can leave them out.</summary>
    public static bool[] DeadFlags(Instruction[] code, int count)
    {
        var dead = new bool[count];
        FlagProducer[] before = ConditionFusion.ProducersBefore(code, count);
        bool live = true;
        for (int k = count - 1; k >= 0; k--)
        {
            (bool reads, bool writesAll) = Effect(code[k], before[k]);
            dead[k] = writesAll && !live && CanSkipFlags(code[k]);
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
    public static bool CanSkipFlags(in Instruction ins) => ins.Mnemonic switch
    {
        Mnemonic.Add or Mnemonic.Sub or Mnemonic.And or Mnemonic.Or or Mnemonic.Xor or Mnemonic.Cmp or Mnemonic.Test => true,
        Mnemonic.Inc or Mnemonic.Dec or Mnemonic.Neg => true,
        Mnemonic.Imul => ins.OpCount >= 2,
        _ => false,
    };

    // Reads: the instruction needs the flags as they were before it (conditions, carry-in, flags it keeps),
    // or it may fault: the exception frame then holds RFLAGS as they were before it.
    // WritesAll: it sets CF, PF, AF, ZF, SF and OF whatever its operands.
    private static (bool Reads, bool WritesAll) Effect(in Instruction ins, FlagProducer before)
    {
        (bool reads, bool writesAll) = FlagEffect(ins);

        // A read the emitter computes from the producer's operands (ConditionFusion) needs no record.
        InstructionForm form = TranslationFrontEnd.Classify(ins);
        if (form is InstructionForm.ConditionalJump or InstructionForm.SetCondition or InstructionForm.ConditionalMove &&
            ConditionFusion.CanFuse(before, ins.ConditionCode))
        {
            reads = false;
        }
        else if (form == InstructionForm.Unary && ins.Mnemonic is Mnemonic.Inc or Mnemonic.Dec && ConditionFusion.CarryKnown(before))
        {
            reads = false;
        }

        return (reads || TranslationFrontEnd.MayFault(ins, form), writesAll);
    }

    private static (bool Reads, bool WritesAll) FlagEffect(in Instruction ins)
    {
        switch (TranslationFrontEnd.Classify(ins))
        {
            case InstructionForm.Binary:
                return ins.Mnemonic is Mnemonic.Adc or Mnemonic.Sbb ? (true, true) : (false, true);
            case InstructionForm.Unary:
                // INC and DEC keep CF; NOT changes no flag.
                return ins.Mnemonic switch
                {
                    Mnemonic.Neg => (false, true),
                    Mnemonic.Not => (false, false),
                    _ => (true, true),
                };
            case InstructionForm.Multiply:
                return (false, true);
            case InstructionForm.Shift:
            case InstructionForm.WideMultiplyDivide:
            case InstructionForm.Push:
            case InstructionForm.Pop:
            case InstructionForm.SetCondition:
            case InstructionForm.ConditionalMove:
            case InstructionForm.ConditionalJump:
            case InstructionForm.PortIn:
            case InstructionForm.Call:
            case InstructionForm.Return:
                // A shift by zero keeps every flag; MUL/DIV go through the shared methods unchanged; DIV,
                // PUSH, POP, CALL, RET and IN (#GP without I/O permission) may fault.
                return (true, false);
            default:
                return (false, false);
        }
    }
}
