using Iced.Intel;

namespace Cpu.Instructions;

/// <summary>
/// What the engines know about one Iced <see cref="Code"/>: its declaration, and the facts Iced has about the
/// operand form (operand kinds through <see cref="OpCode"/>, the flags it reads and writes).
/// </summary>
public sealed class InstructionDefinition
{
    internal InstructionDefinition(Code code, InstructionDeclaration declaration)
    {
        Code = code;
        Declaration = declaration;
        OpCode = code.ToOpCode();

        // Iced's flag facts depend only on the code, except for shifts by an immediate of zero (none):
        // a count of one stands for every other count.
        var sample = new Instruction { Code = code, Immediate8 = 1 };
        FlagsRead = sample.RflagsRead;
        FlagsWritten = sample.RflagsModified;
    }

    public Code Code { get; }

    public Mnemonic Mnemonic => Code.Mnemonic();

    public InstructionDeclaration Declaration { get; }

    public InstructionSemantics Semantics => Declaration.Semantics;

    public InstructionTraits Traits => Declaration.Traits;

    /// <summary>Iced's description of the operand form: operand kinds (GPR, XMM, x87, memory sizes...), encoding.</summary>
    public OpCodeInfo OpCode { get; }

    /// <summary>The RFLAGS bits it reads (Iced's <c>RflagsRead</c>).</summary>
    public RflagsBits FlagsRead { get; }

    /// <summary>The RFLAGS bits it writes, sets, clears or leaves undefined (Iced's <c>RflagsModified</c>).</summary>
    public RflagsBits FlagsWritten { get; }

    public bool Has(InstructionTraits traits) => (Traits & traits) == traits;
}
