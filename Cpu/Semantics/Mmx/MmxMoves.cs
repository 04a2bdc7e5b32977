using Cpu.State;
using Iced.Intel;

namespace Cpu.Semantics.Mmx;

/// <summary>
/// The MMX data movement (Intel SDM Vol. 2: MOVD/MOVQ with an MMX register, MOVNTQ, MOVQ2DQ, MOVDQ2Q) and
/// EMMS. The arithmetic, logic, shifts, packs and shuffles on MMX registers are the SSE semantic methods,
/// whose operands read and write MMX registers at 64 bits (Cpu/Semantics/Sse/SseOperands).
/// </summary>
public static class MmxMoves
{
    /// <summary>
    /// MOVD/MOVQ to or from an MMX register, MOVNTQ, MOVQ2DQ (zero-extended into the XMM register) and
    /// MOVDQ2Q (the low quadword): the source's 32 or 64 bits, zero-extended, to the destination.
    /// </summary>
    public static void Move(Processor cpu, ref Instruction ins)
    {
        MmxRegisters.WriteOperand(cpu, ins, 0, MmxRegisters.ReadOperand(cpu, ins, 1));
        MmxRegisters.Enter(cpu.State.X87);
    }

    /// <summary>
    /// EMMS: every x87 register tagged empty (SDM 9.6.3), so x87 code may follow MMX code. Like every MMX
    /// instruction it also sets TOP to 0 (the host does: the differential cases start with other TOPs).
    /// </summary>
    public static void Emms(Processor cpu, ref Instruction ins)
    {
        X87State x = cpu.State.X87;
        MmxRegisters.Enter(x);
        x.Tag = X87State.AllEmpty;
    }
}
