namespace Cpu.Execution;

/// <summary>Why <see cref="Processor.Run"/> returned.</summary>
public enum StopReason
{
    /// <summary>The instruction budget was used up.</summary>
    BudgetExhausted,

    /// <summary>HLT with no interrupt pending: the caller may sleep until the next device event.</summary>
    Halted,

    /// <summary>A triple fault: the machine must reset or stop.</summary>
    TripleFault,

    /// <summary>Something outside asked the CPU to stop (<see cref="Processor.RequestStop"/>).</summary>
    StopRequested,

    /// <summary>The external debugger's breakpoint, watchpoint or single step (<see cref="Debug.ExternalDebugger.LastStop"/>).</summary>
    Debug,
}
