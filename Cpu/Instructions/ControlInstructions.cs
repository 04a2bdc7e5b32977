using Cpu.Semantics;
using Cpu.Translation;
using Iced.Intel;
using static Cpu.Instructions.InstructionTraits;

namespace Cpu.Instructions;

/// <summary>Control transfers and the stack: JMP, CALL, RET, Jcc, SETcc, CMOVcc, LOOP, PUSH/POP and their relatives.</summary>
internal static class ControlInstructions
{
    private static readonly Mnemonic[] ConditionalJumps =
    [
        Mnemonic.Ja, Mnemonic.Jae, Mnemonic.Jb, Mnemonic.Jbe, Mnemonic.Je, Mnemonic.Jg, Mnemonic.Jge, Mnemonic.Jl,
        Mnemonic.Jle, Mnemonic.Jne, Mnemonic.Jno, Mnemonic.Jnp, Mnemonic.Jns, Mnemonic.Jo, Mnemonic.Jp, Mnemonic.Js,
    ];

    private static readonly Mnemonic[] ConditionalSets =
    [
        Mnemonic.Seta, Mnemonic.Setae, Mnemonic.Setb, Mnemonic.Setbe, Mnemonic.Sete, Mnemonic.Setg, Mnemonic.Setge, Mnemonic.Setl,
        Mnemonic.Setle, Mnemonic.Setne, Mnemonic.Setno, Mnemonic.Setnp, Mnemonic.Setns, Mnemonic.Seto, Mnemonic.Setp, Mnemonic.Sets,
    ];

    private static readonly Mnemonic[] ConditionalMoves =
    [
        Mnemonic.Cmova, Mnemonic.Cmovae, Mnemonic.Cmovb, Mnemonic.Cmovbe, Mnemonic.Cmove, Mnemonic.Cmovg, Mnemonic.Cmovge, Mnemonic.Cmovl,
        Mnemonic.Cmovle, Mnemonic.Cmovne, Mnemonic.Cmovno, Mnemonic.Cmovnp, Mnemonic.Cmovns, Mnemonic.Cmovo, Mnemonic.Cmovp, Mnemonic.Cmovs,
    ];

    public static void Declare(InstructionTableBuilder b)
    {
        b.Declare(Mnemonic.Jmp, Branches.Jmp, OperandForms.IsNearRelative).With(Branch).Compiled(InstructionForm.Jump);
        b.Declare(Mnemonic.Jmp, Branches.Jmp, i => !OperandForms.IsNearRelative(i) && !OperandForms.IsFar(i)).With(Branch | MayFault);
        b.Declare(Mnemonic.Jmp, Branches.Jmp, OperandForms.IsFar).With(Branch | EndsBlock | MayFault);
        b.Declare(Mnemonic.Call, Branches.Call, OperandForms.IsNearRelative).With(Branch | MayFault).Compiled(InstructionForm.Call);
        b.Declare(Mnemonic.Call, Branches.Call, i => !OperandForms.IsNearRelative(i) && !OperandForms.IsFar(i)).With(Branch | MayFault);
        b.Declare(Mnemonic.Call, Branches.Call, OperandForms.IsFar).With(Branch | EndsBlock | MayFault);
        b.Declare(Mnemonic.Ret, Branches.Ret).With(Branch | MayFault).Compiled(InstructionForm.Return);
        foreach (Mnemonic m in ConditionalJumps)
        {
            b.Declare(m, Branches.ConditionalJump).With(Branch).Compiled(InstructionForm.ConditionalJump);
        }

        foreach (Mnemonic m in ConditionalSets)
        {
            b.Declare(m, Branches.SetCondition).Compiled(InstructionForm.SetCondition);
        }

        foreach (Mnemonic m in ConditionalMoves)
        {
            b.Declare(m, Branches.ConditionalMove).Compiled(InstructionForm.ConditionalMove);
        }

        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Loop, Mnemonic.Loope, Mnemonic.Loopne, Mnemonic.Jcxz, Mnemonic.Jecxz, Mnemonic.Jrcxz])
        {
            b.Declare(m, Branches.CounterBranch).With(Branch);
        }

        // PUSH/POP of a segment register: POP loads a descriptor (and SS starts an interrupt shadow).
        b.Declare(Mnemonic.Push, StackForms.Push).With(MayFault).Compiled(InstructionForm.Push);
        b.Declare(Mnemonic.Pop, StackForms.Pop, i => !OperandForms.IsSegment(i, 0)).With(MayFault).Compiled(InstructionForm.Pop);
        b.Declare(Mnemonic.Pop, StackForms.Pop, i => OperandForms.IsSegment(i, 0)).With(EndsBlock | MayFault);
        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Pushf, Mnemonic.Pushfd, Mnemonic.Pushfq])
        {
            b.Declare(m, StackForms.Pushf).With(MayFault);
        }

        // POPF may change IF, TF and AC: the block ends after it.
        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Popf, Mnemonic.Popfd, Mnemonic.Popfq])
        {
            b.Declare(m, StackForms.Popf).With(EndsBlock | MayFault);
        }

        b.Declare(Mnemonic.Enter, StackForms.Enter).With(MayFault);
        b.Declare(Mnemonic.Leave, StackForms.Leave).With(MayFault);
        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Pusha, Mnemonic.Pushad])
        {
            b.Declare(m, StackForms.Pusha).With(MayFault);
        }

        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Popa, Mnemonic.Popad])
        {
            b.Declare(m, StackForms.Popa).With(MayFault);
        }
    }
}
