using Cpu.Debug;
using Cpu.Decode;
using Cpu.Execution;
using Cpu.State;
using Mmu.Paging;
using Mmu.Watch;

namespace Cpu;

/// <summary>The run loop's debug path: taken only while <see cref="ExternalDebugger.Armed"/>.</summary>
public sealed partial class Processor
{
    /// <summary>The external debugger's breakpoints, watchpoints and single steps.</summary>
    public ExternalDebugger Debugger { get; }

    /// <summary>True when a pending interrupt must wait: the debugger's single step holds interrupts off.</summary>
    private bool DebuggerHoldsInterrupts => Debugger.StepRequested && !Halted;

    /// <summary>
    /// Runs one block (or the part of it before a breakpoint, or one instruction when stepping) interpreted,
    /// then reports a debugger stop if one happened. Compiled code is not entered: it would chain past the checks.
    /// </summary>
    private StopReason? RunDebugged(long limit)
    {
        ExternalDebugger d = Debugger;
        ulong rip = State.Rip;
        bool ignore = d.IgnoreBreakpointOnce;
        d.IgnoreBreakpointOnce = false;
        if (!ignore && d.HasBreakpoint(rip))
        {
            d.LastStop = DebugStopKind.Breakpoint;
            return StopReason.Debug;
        }

        long until = d.StepRequested ? retired + 1 : retired + Math.Min(limit - retired, InstructionsBeforeBreakpoint());
        DataWatchpoints watch = Memory.Watchpoints;
        watch.ClearHits();
        RunBlock(until);
        foreach (DataWatchpoint w in watch.Hits)
        {
            if (w.Owner == ExternalDebugger.WatchOwner)
            {
                d.LastWatchpoint = w;
                d.LastStop = DebugStopKind.Watchpoint;
                d.StepDone();
                return StopReason.Debug;
            }
        }

        if (d.StepRequested)
        {
            d.StepDone();
            d.LastStop = DebugStopKind.Step;
            return StopReason.Debug;
        }

        return null;
    }

    /// <summary>How many instructions of the block at RIP run before one that holds a breakpoint (the whole block when none does).</summary>
    private long InstructionsBeforeBreakpoint()
    {
        if (Debugger.Breakpoints.Count == 0)
        {
            return long.MaxValue;
        }

        DecodedBlock block;
        try
        {
            SyncModeFromState();
            block = Blocks.Get(State.Rip, Bitness, CodeBase, State.Segments[SegmentIndex.Cs].Limit);
        }
        catch (Exception e) when (e is PageFaultException or CpuException)
        {
            return 1; // RunBlock delivers the fault
        }

        for (int i = 1; i < block.Count; i++)
        {
            if (Debugger.HasBreakpoint(block.Instructions[i].IP))
            {
                return i;
            }
        }

        return long.MaxValue;
    }
}
