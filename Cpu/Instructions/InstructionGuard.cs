using Iced.Intel;

namespace Cpu.Instructions;

/// <summary>
/// A check shared by a whole family of instructions (the SSE #UD/#NM conditions and alignment, for
/// instance), run by every engine before the semantic method, so the semantic methods do not repeat it.
/// It raises the guest exception or returns; it changes no state.
/// </summary>
public delegate void InstructionGuard(Processor cpu, ref Instruction ins);
