using Cpu.Debug;
using Cpu.Decode;
using Cpu.Execution;
using Cpu.State;
using Mmu.Paging;
using Mmu.Watch;

namespace Cpu;

/// <summary>
/// The run loop's debug path, taken only while the external debugger or the guest's DR7 has something
/// armed, or RFLAGS.TF or RF is set (<see cref="debugArmed"/>, folded into one test with those flags).
/// </summary>
public sealed partial class Processor
{
    /// <summary>Non-zero while the external debugger or the guest's debug registers have something armed.</summary>
    private ulong debugArmed;

    /// <summary>Set by the debug path: the block about to run must be interpreted (a breakpoint in it, a single step).</summary>
    private bool interpretOnly;

    /// <summary>The retired count up to which a MOV SS/POP SS holds debug traps back (SDM 6.8.3).</summary>
    private long debugShadowUntil = -1;

    /// <summary>#DB conditions held back by a MOV SS/POP SS shadow: B0-B3 and status bits for DR6.</summary>
    private ulong heldHits, heldStatus;

    /// <summary>The external debugger's breakpoints, watchpoints and single steps.</summary>
    public ExternalDebugger Debugger { get; }

    /// <summary>The guest's DR0-DR7 in action: instruction, data and I/O breakpoints, general detect.</summary>
    public DebugRegisters GuestDebug { get; }

    /// <summary>
    /// Read by the JIT when it compiles a block: leave the block after every instruction that reads memory
    /// when a read may hit a data watchpoint. Set (and every block dropped) when the guest arms one.
    /// </summary>
    internal bool CompiledCodeWatchesReads { get; private set; }

    /// <summary>Read when compiled blocks chain: not while instruction breakpoints are armed (the next block may hold one).</summary>
    internal bool CompiledChainingBlocked { get; private set; }

    /// <summary>Events (exceptions and interrupts) delivered so far: a single step is not reported after one.</summary>
    internal long EventsDelivered { get; set; }

    /// <summary>True when a pending interrupt must wait: the debugger's single step holds interrupts off.</summary>
    private bool DebuggerHoldsInterrupts => Debugger.StepRequested && !Halted;

    /// <summary>MOV SS / POP SS: interrupts and debug traps wait until the next instruction completed (SDM 6.8.3).</summary>
    public void SetStackLoadShadow()
    {
        SetInterruptShadow();
        debugShadowUntil = InstructionsRetired + 2;
    }

    /// <summary>
    /// True when a debug trap is due after the current step of execution: a single step (TF or the
    /// debugger's) or a data or I/O breakpoint hit. Asked by a REP string instruction between iterations.
    /// </summary>
    internal bool DebugTrapPending =>
        (State.FlagBits & Rflag.TF) != 0 || Debugger.StepRequested || Memory.Watchpoints.Hits.Count != 0 || GuestDebug.IoHits != 0;

    /// <summary>False while neither debugger has anything armed and TF is clear: no debug trap can be pending.</summary>
    internal bool DebugTrapsPossible => ((State.FlagBits & Rflag.TF) | debugArmed) != 0;

    private void UpdateDebugArmed() => debugArmed = Debugger.Armed || GuestDebug.Armed ? 1UL : 0;

    /// <summary>Guest data watchpoints are armed: compiled code compiled without read checks is dropped.</summary>
    private void WatchReadsInCompiledCode()
    {
        if (!CompiledCodeWatchesReads)
        {
            CompiledCodeWatchesReads = true;
            Blocks.Clear();
            exitBlock = true;
        }
    }

    /// <summary>
    /// Runs one block (or the part of it before a breakpoint, or one instruction when stepping), then
    /// reports an external debugger stop or delivers the guest's #DB (Intel SDM Vol. 3B, 18.3): instruction
    /// breakpoints are faults checked before the instruction unless RF is set; data, I/O and single-step
    /// conditions are traps reported after it, held back one instruction by a MOV SS shadow.
    /// </summary>
    private StopReason? RunDebugged(long limit)
    {
        ExternalDebugger d = Debugger;
        DebugRegisters g = GuestDebug;
        CpuState s = State;
        ulong rip = s.Rip;
        bool ignore = d.IgnoreBreakpointOnce;
        d.IgnoreBreakpointOnce = false;
        if (!ignore && d.HasBreakpoint(rip))
        {
            d.LastStop = DebugStopKind.Breakpoint;
            return StopReason.Debug;
        }

        SyncModeFromState();
        if (g.ExecSlots != 0 && (s.FlagBits & Rflag.RF) == 0)
        {
            ulong hits = g.ExecHits(CodeLinear(rip));
            if (hits != 0)
            {
                // A fault: RIP stays at the instruction, RF is pushed as it is (0) (SDM 18.3.1.1).
                g.Report(hits, 0);
                DeliverDebugException();
                return null;
            }
        }

        // RF is cleared once the instruction breakpoint check is past (SDM 18.3.1.1).
        s.FlagBits &= ~Rflag.RF;
        bool singleStep = (s.FlagBits & Rflag.TF) != 0;
        bool oneInstruction = d.StepRequested || singleStep || (heldHits | heldStatus) != 0;
        long count = InstructionsBeforeBreakpoint(out bool blockHasBreakpoint);
        long until = oneInstruction ? retired + 1 : retired + Math.Min(limit - retired, count);
        // Breakpoints of either debugger keep compiled code (one block at a time, so each block start is checked);
        // the external debugger's watchpoints and steps are exact only in the interpreter.
        interpretOnly = d.Watching || oneInstruction || blockHasBreakpoint || g.IoSlots != 0;
        CompiledChainingBlocked = g.ExecSlots != 0 || d.Breakpoints.Count != 0;
        DataWatchpoints watch = Memory.Watchpoints;
        watch.ClearHits();
        g.IoHits = 0;
        long events = EventsDelivered;
        long before = retired;
        RunBlock(until);
        interpretOnly = false;
        CompiledChainingBlocked = false;

        if (EventsDelivered == events && retired > before)
        {
            heldHits |= DebugRegisters.DataHits(watch.Hits) | g.IoHits;
            heldStatus |= singleStep ? DebugRegisters.BS : 0;
            if ((heldHits | heldStatus) != 0 && debugShadowUntil <= retired)
            {
                g.Report(heldHits, heldStatus);
                heldHits = heldStatus = 0;
                DeliverDebugException();
            }
        }
        else
        {
            // The instruction faulted or raised an interrupt: its data hits and its single step are not reported.
            heldHits = heldStatus = 0;
        }

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

    /// <summary>#DB, as an exception (not INT1: EXT is set and no gate DPL check).</summary>
    private void DeliverDebugException()
    {
        Counters.RecordException(ExceptionVector.Debug);
        SafeDeliver(ExceptionVector.Debug, null, software: false);
    }

    /// <summary>The linear address of code at <paramref name="ip"/> in the current code segment (DR0-DR3 hold linear addresses).</summary>
    private ulong CodeLinear(ulong ip) => Bitness == 64 ? ip : (State.Segments[SegmentIndex.Cs].Base + ip) & 0xFFFF_FFFF;

    /// <summary>
    /// How many instructions of the block at RIP run before one that holds a breakpoint of either debugger
    /// (the whole block when none does; the first instruction never counts: it was checked already), and
    /// whether any instruction of it, the first included, holds one (then it must not run compiled).
    /// </summary>
    private long InstructionsBeforeBreakpoint(out bool blockHasBreakpoint)
    {
        blockHasBreakpoint = false;
        if (Debugger.Breakpoints.Count == 0 && GuestDebug.ExecSlots == 0)
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

        long before = long.MaxValue;
        for (int i = block.Count - 1; i >= 0; i--)
        {
            ulong ip = block.Instructions[i].IP;
            if (Debugger.HasBreakpoint(ip) || GuestDebug.HasExecBreakpoint(CodeLinear(ip)))
            {
                blockHasBreakpoint = true;
                before = i > 0 ? i : before;
            }
        }

        return before;
    }
}
