using Cpu.Execution;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Semantics;

/// <summary>Entry points of the system instructions, HLT and the string instructions for the instruction table.</summary>
public static class SystemForms
{
    /// <summary>A system instruction (<see cref="SystemInstructions.Execute"/>); the block ends after it.</summary>
    public static void System(Processor cpu, ref Instruction ins)
    {
        SystemInstructions.Execute(cpu, ins);
        cpu.EndBlock();
    }

    public static void Hlt(Processor cpu, ref Instruction ins)
    {
        if (cpu.State.Cpl != 0 && (cpu.State.Cr0 & 1) != 0)
        {
            throw CpuException.GeneralProtection();
        }

        cpu.Halted = true;
        cpu.EndBlock();
    }

    public static void String(Processor cpu, ref Instruction ins) => Strings.Execute(cpu, ins);
}
