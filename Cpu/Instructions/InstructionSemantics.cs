using Iced.Intel;

namespace Cpu.Instructions;

/// <summary>
/// An instruction's semantics as every engine runs it: a static method in <c>Cpu.Semantics</c> (or
/// <c>Cpu.System</c>) that reads its operands from the decoded instruction. RIP already points past the
/// instruction; a guest fault leaves the state as it was before it.
/// </summary>
public delegate void InstructionSemantics(Processor cpu, ref Instruction ins);
