namespace Cpu.Debug;

/// <summary>Why the processor stopped for its external debugger (<see cref="Execution.StopReason.Debug"/>).</summary>
public enum DebugStopKind
{
    /// <summary>No debug stop happened.</summary>
    None,

    /// <summary>RIP reached a debugger breakpoint; the instruction there has not run.</summary>
    Breakpoint,

    /// <summary>The single step the debugger asked for is done.</summary>
    Step,

    /// <summary>An instruction touched a debugger watchpoint; it has completed.</summary>
    Watchpoint,
}
