using System.Reflection;
using Cpu.Translation;
using Iced.Intel;

namespace Cpu.Instructions;

/// <summary>
/// One declaration of <see cref="InstructionTableBuilder"/>: a family of Iced <see cref="Code"/>s (one
/// operand form, or every form of a mnemonic) with the semantic method they run, their traits, and the
/// compiled form the JIT emits them in (by default <see cref="InstructionForm.CallSemantics"/>: registers
/// written back, the semantic method called with the decoded instruction, registers reloaded).
/// </summary>
public sealed class InstructionDeclaration
{
    internal InstructionDeclaration(Code[] codes, InstructionSemantics semantics)
    {
        if (semantics.Target is not null || !semantics.Method.IsStatic)
        {
            // The JIT calls the method itself (no delegate, no closure): declare a static method group.
            throw new ArgumentException($"{semantics.Method.Name}: an instruction's semantics must be a static method", nameof(semantics));
        }

        Codes = codes;
        Semantics = semantics;
    }

    /// <summary>The Iced codes (operand forms) this declaration covers.</summary>
    public IReadOnlyList<Code> Codes { get; }

    /// <summary>The semantic method every engine runs (the JIT calls it unless <see cref="Form"/> says otherwise).</summary>
    public InstructionSemantics Semantics { get; }

    /// <summary>The family check every engine runs before <see cref="Semantics"/> (null: none).</summary>
    public InstructionGuard? Guard { get; private set; }

    public InstructionTraits Traits { get; private set; }

    /// <summary>The form the JIT emits; <see cref="InstructionForm.CallSemantics"/> unless a form of its own is declared.</summary>
    public InstructionForm Form { get; private set; } = InstructionForm.CallSemantics;

    /// <summary>For a form of the JIT's own: the shared semantic operation it calls (for instance <c>Alu.Add</c>), or null.</summary>
    public MethodInfo? Operation { get; private set; }

    /// <summary>For INC and DEC: the operation that takes the carry in as an argument (when the emitter knows it).</summary>
    public MethodInfo? CarryInOperation { get; private set; }

    /// <summary>How the JIT models the flags it sets, for conditions fused with it (Unknown: read the lazy flags).</summary>
    public FlagProducer Producer { get; private set; }

    /// <summary>Adds <paramref name="traits"/>.</summary>
    public InstructionDeclaration With(InstructionTraits traits)
    {
        Traits |= traits;
        return this;
    }

    /// <summary>Runs <paramref name="guard"/> (a static method) before the semantics, in every engine.</summary>
    public InstructionDeclaration Guarded(InstructionGuard guard)
    {
        if (guard.Target is not null || !guard.Method.IsStatic)
        {
            throw new ArgumentException($"{guard.Method.Name}: a guard must be a static method", nameof(guard));
        }

        Guard = guard;
        return this;
    }

    /// <summary>
    /// Declares a compiled form of the JIT's own (faster than calling the semantic method), with the shared
    /// operation it calls and the flag producer it is modelled as.
    /// </summary>
    public InstructionDeclaration Compiled(InstructionForm form, Delegate? operation = null, FlagProducer producer = FlagProducer.Unknown, Delegate? carryInOperation = null)
    {
        Form = form;
        Operation = operation?.Method;
        CarryInOperation = carryInOperation?.Method;
        Producer = producer;
        return this;
    }
}
