using Cpu.Execution;
using Iced.Intel;

namespace Cpu.System;

/// <summary>
/// The system instructions (descriptor tables, segment loads, far transfers, IRET, INT n, SYSCALL/SYSRET,
/// MSRs, control registers, CPUID, RDTSC, I/O permission). Placeholder: the system-instructions helper
/// replaces this file.
/// </summary>
public static class SystemInstructions
{
    /// <summary>Executes one system instruction. RIP already points past it; throw <see cref="CpuException"/> to fault.</summary>
    public static void Execute(Processor cpu, in Instruction instruction)
    {
        throw new CpuException(ExceptionVector.InvalidOpcode);
    }

    /// <summary>
    /// Loads a segment register (MOV Sreg, POP Sreg) with the descriptor checks of the current mode.
    /// Placeholder: real-mode style base for CR0.PE=0, otherwise only the selector changes.
    /// </summary>
    public static void LoadSegment(Processor cpu, int segment, ushort selector)
    {
        ref var seg = ref cpu.State.Segments[segment];
        seg.Selector = selector;
        if ((cpu.State.Cr0 & 1) == 0)
        {
            seg.Base = (ulong)selector << 4;
        }
    }

    /// <summary>
    /// The I/O permission check of IN/OUT/INS/OUTS (Intel SDM 19.5: CPL &lt;= IOPL, else the TSS bitmap).
    /// Throws #GP(0) when the access is denied. Placeholder: CPL &lt;= IOPL only.
    /// </summary>
    public static void CheckIoPermission(Processor cpu, ushort port, int size)
    {
        int iopl = (int)(cpu.State.Rflags >> 12) & 3;
        if ((cpu.State.Cr0 & 1) != 0 && cpu.State.Cpl > iopl)
        {
            throw new CpuException(ExceptionVector.GeneralProtection, 0);
        }
    }
}
