using Cpu.Execution;
using Cpu.Semantics.Sse;
using Cpu.Semantics.X87;
using Cpu.State;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Semantics.Mmx;

/// <summary>
/// The checks before an instruction on MMX registers, run by the instruction table
/// (<see cref="Cpu.Instructions.InstructionGuard"/>) so no semantic method repeats them.
/// </summary>
public static class MmxGuards
{
    /// <summary>
    /// MMX instructions and the MMX-register forms of the SSE/SSE2/SSSE3 integer instructions (SDM Vol. 2,
    /// their "Exceptions" sections, and Vol. 3, 2.5 CR0.EM): #UD with CR0.EM, #NM with CR0.TS, then #MF when
    /// an unmasked x87 exception is pending (with CR0.NE, as every waiting x87 instruction).
    /// </summary>
    public static void Enabled(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        if ((s.Cr0 & ControlRegisters.Cr0Em) != 0)
        {
            throw CpuException.InvalidOpcode();
        }

        if ((s.Cr0 & ControlRegisters.Cr0Ts) != 0)
        {
            throw CpuException.DeviceNotAvailable();
        }

        X87Fpu.CheckPending(s);
    }

    /// <summary>
    /// The SSE/SSE2 instructions between MMX and XMM registers (CVTPI2PS... MOVQ2DQ, MOVDQ2Q): the SSE checks
    /// (CR4.OSFXSR, CR0.EM, CR0.TS), then #MF for a pending x87 exception when an MMX register is an operand.
    /// </summary>
    public static void SseEnabled(Processor cpu, ref Instruction ins)
    {
        SseGuards.Enabled(cpu, ref ins);
        CheckPendingWithMmxOperand(cpu, ins);
    }

    /// <summary><see cref="SseEnabled"/> with the 16-byte alignment of an m128 operand (CVTPD2PI, CVTTPD2PI).</summary>
    public static void SseEnabledAligned(Processor cpu, ref Instruction ins)
    {
        SseGuards.EnabledAligned(cpu, ref ins);
        CheckPendingWithMmxOperand(cpu, ins);
    }

    private static void CheckPendingWithMmxOperand(Processor cpu, in Instruction ins)
    {
        if (MmxRegisters.HasMmxOperand(ins))
        {
            X87Fpu.CheckPending(cpu.State);
        }
    }
}
