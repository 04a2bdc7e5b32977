namespace Cpu.Execution;

/// <summary>Kinds of privilege transitions counted by <see cref="CpuCounters"/> (DESIGN.md section 8).</summary>
public enum TransitionKind
{
    /// <summary>SYSCALL (or SYSENTER) from user to kernel.</summary>
    Syscall,

    /// <summary>SYSRET (or SYSEXIT) from kernel to user.</summary>
    Sysret,

    /// <summary>A hardware interrupt taken in user mode.</summary>
    InterruptFromUser,

    /// <summary>An exception (fault or trap) taken in user mode.</summary>
    ExceptionFromUser,

    /// <summary>A software interrupt (INT n, INT3, INTO) from user mode.</summary>
    SoftwareInterruptFromUser,

    /// <summary>IRET returning to a less privileged level.</summary>
    IretToUser,

    /// <summary>A far CALL/JMP/RET that changed the privilege level.</summary>
    FarTransfer,
}
