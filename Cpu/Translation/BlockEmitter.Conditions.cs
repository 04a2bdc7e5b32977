using System.Reflection.Emit;
using Cpu.Semantics;
using Iced.Intel;

namespace Cpu.Translation;

// BlockEmitter, part: Conditions: fused from the known flag producer, or from the lazy-flag record.
public sealed partial class BlockEmitter
{
    /// <summary>
    /// After a flag-setting semantic call (its masked result on the IL stack, operands in <c>a</c> and
    /// <c>b</c>): keeps operands and result for a condition read later in the block.
    /// </summary>
    private void RecordProducer(FlagProducer kind, int size)
    {
        producer = kind;
        producerSize = size;
        if (kind == FlagProducer.Unknown)
        {
            return;
        }

        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldc_I8, (long)Operands.SizeMask(size));
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Stloc, flagResult);
        il.Emit(OpCodes.Ldloc, a);
        il.Emit(OpCodes.Stloc, flagLeft);
        il.Emit(OpCodes.Ldloc, b);
        il.Emit(OpCodes.Stloc, flagRight);
    }

    private void EmitCondition(ConditionCode cc)
    {
        if (EmitFusedCondition(cc))
        {
            return;
        }

        il.Emit(OpCodes.Ldloc, state);
        il.Emit(OpCodes.Ldc_I4, (int)cc);
        EmitHelper(Evaluate);
    }

    /// <summary>
    /// Pushes the condition (int 0 or 1) computed from the last producer's operands and result, as
    /// Intel SDM Appendix B defines it from the flags that producer sets, when the producer is known and
    /// the condition needs only flags it models. Returns false to fall back to the lazy flags.
    /// </summary>
    private bool EmitFusedCondition(ConditionCode cc)
    {
        if (!ConditionFusion.CanFuse(producer, cc))
        {
            return false;
        }

        switch (cc)
        {
            case ConditionCode.e:
            case ConditionCode.ne:
                EmitResultZero();
                Invert(cc == ConditionCode.ne);
                return true;
            case ConditionCode.s:
            case ConditionCode.ns:
                EmitResultSign();
                Invert(cc == ConditionCode.ns);
                return true;
        }

        if (producer == FlagProducer.Logic)
        {
            // CF = OF = 0: B and O never hold, AE and NO always; BE is ZF, L is SF, LE is ZF or SF.
            switch (cc)
            {
                case ConditionCode.b:
                case ConditionCode.o:
                    il.Emit(OpCodes.Ldc_I4_0);
                    return true;
                case ConditionCode.ae:
                case ConditionCode.no:
                    il.Emit(OpCodes.Ldc_I4_1);
                    return true;
                case ConditionCode.be:
                case ConditionCode.a:
                    EmitResultZero();
                    Invert(cc == ConditionCode.a);
                    return true;
                case ConditionCode.l:
                case ConditionCode.ge:
                    EmitResultSign();
                    Invert(cc == ConditionCode.ge);
                    return true;
                default:
                    EmitResultSign();
                    EmitResultZero();
                    il.Emit(OpCodes.Or);
                    Invert(cc == ConditionCode.g);
                    return true;
            }
        }

        // SUB/CMP: CF is left < right unsigned; SF != OF is left < right signed, at the operand size.
        bool signed = cc is ConditionCode.l or ConditionCode.ge or ConditionCode.le or ConditionCode.g;
        EmitOperand(flagLeft, signed);
        EmitOperand(flagRight, signed);
        switch (cc)
        {
            case ConditionCode.b:
            case ConditionCode.ae:
                il.Emit(OpCodes.Clt_Un);
                Invert(cc == ConditionCode.ae);
                break;
            case ConditionCode.a:
            case ConditionCode.be:
                il.Emit(OpCodes.Cgt_Un);
                Invert(cc == ConditionCode.be);
                break;
            case ConditionCode.l:
            case ConditionCode.ge:
                il.Emit(OpCodes.Clt);
                Invert(cc == ConditionCode.ge);
                break;
            default:
                il.Emit(OpCodes.Cgt);
                Invert(cc == ConditionCode.le);
                break;
        }

        return true;
    }

    /// <summary>Pushes a producer operand at the producer's size: masked, or sign-extended to 64 bits.</summary>
    private void EmitOperand(LocalBuilder value, bool signed)
    {
        il.Emit(OpCodes.Ldloc, value);
        if (!signed)
        {
            il.Emit(OpCodes.Ldc_I8, (long)Operands.SizeMask(producerSize));
            il.Emit(OpCodes.And);
            return;
        }

        switch (producerSize)
        {
            case 1: il.Emit(OpCodes.Conv_I1); il.Emit(OpCodes.Conv_I8); break;
            case 2: il.Emit(OpCodes.Conv_I2); il.Emit(OpCodes.Conv_I8); break;
            case 4: il.Emit(OpCodes.Conv_I4); il.Emit(OpCodes.Conv_I8); break;
        }
    }

    /// <summary>Pushes ZF of the producer's (masked) result as int 0 or 1.</summary>
    private void EmitResultZero()
    {
        il.Emit(OpCodes.Ldloc, flagResult);
        il.Emit(OpCodes.Ldc_I8, 0L);
        il.Emit(OpCodes.Ceq);
    }

    /// <summary>Pushes SF of the producer's (masked) result as int 0 or 1.</summary>
    private void EmitResultSign()
    {
        il.Emit(OpCodes.Ldloc, flagResult);
        il.Emit(OpCodes.Ldc_I4, (producerSize * 8) - 1);
        il.Emit(OpCodes.Shr_Un);
        il.Emit(OpCodes.Conv_I4);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.And);
    }

    /// <summary>Turns the int 0 or 1 on the stack into 1 or 0 when <paramref name="invert"/>.</summary>
    private void Invert(bool invert)
    {
        if (invert)
        {
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Xor);
        }
    }
}
