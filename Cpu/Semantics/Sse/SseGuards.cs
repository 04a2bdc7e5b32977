using Cpu.Execution;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// The checks every SSE-family instruction makes before it touches anything, run by the instruction table
/// (<see cref="Cpu.Instructions.InstructionGuard"/>) so no semantic method repeats them.
/// </summary>
public static class SseGuards
{
    /// <summary>#UD without CR4.OSFXSR or with CR0.EM, #NM with CR0.TS (SDM Vol. 3, 13.1.3).</summary>
    public static void Enabled(Processor cpu, ref Instruction ins) => ExtendedState.RequireSse(cpu);

    /// <summary>
    /// <see cref="Enabled"/>, then #GP(0) when the 16-byte memory operand is not 16-byte aligned: the legacy
    /// SSE forms other than the explicitly unaligned ones (SDM Vol. 1, 11.6.7 and 12.10.3).
    /// </summary>
    public static void EnabledAligned(Processor cpu, ref Instruction ins)
    {
        ExtendedState.RequireSse(cpu);
        // Iced gives register forms a memory size too: the operand kind says whether memory is accessed.
        if ((ins.Op0Kind == OpKind.Memory || ins.Op1Kind == OpKind.Memory) && (Operands.EffectiveAddress(cpu, ins) & 15) != 0)
        {
            throw CpuException.GeneralProtection(0);
        }
    }
}
