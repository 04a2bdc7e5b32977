using Mmu.Watch;

namespace Cpu.Debug;

/// <summary>
/// What an external debugger (the gdb stub) asks of the processor: breakpoints at linear addresses
/// (software and hardware alike: neither changes a byte the guest sees), data watchpoints (through
/// <see cref="DataWatchpoints"/>, the machinery the guest's DR0-DR3 also use, under owners of their own), and
/// single steps. While any is set the run loop checks before each block; breakpoints alone leave compiled
/// code running (unchained, so each block is checked, and a block holding one interpreted up to it, as for the
/// guest's DR0-DR3), while a watchpoint or a step interprets; with none set the run loop pays one flag test per block.
/// </summary>
public sealed class ExternalDebugger
{
    /// <summary>The <see cref="DataWatchpoint.Owner"/> of the debugger's watchpoints (guest DR slots are 0-3).</summary>
    public const int WatchOwner = 16;

    private readonly HashSet<ulong> breakpoints = [];
    private readonly DataWatchpoints watchpoints;

    public ExternalDebugger(DataWatchpoints watchpoints)
    {
        this.watchpoints = watchpoints;
    }

    /// <summary>Raised when <see cref="Armed"/> may have changed.</summary>
    internal event Action? Changed;

    /// <summary>True when the run loop must check for the debugger.</summary>
    public bool Armed { get; private set; }

    /// <summary>True while any of the debugger's own watchpoints is set (the processor then interprets).</summary>
    public bool Watching { get; private set; }

    /// <summary>Run one instruction (with interrupts held off, as QEMU's gdb stub does) and stop.</summary>
    public bool StepRequested { get; private set; }

    /// <summary>Why the last <see cref="Execution.StopReason.Debug"/> happened.</summary>
    public DebugStopKind LastStop { get; internal set; }

    /// <summary>The watched range that stopped the processor (for <see cref="DebugStopKind.Watchpoint"/>).</summary>
    public DataWatchpoint LastWatchpoint { get; internal set; }

    /// <summary>Set on resume: a breakpoint at the current RIP does not fire again before that instruction runs.</summary>
    internal bool IgnoreBreakpointOnce { get; set; }

    public IReadOnlyCollection<ulong> Breakpoints => breakpoints;

    /// <summary>Adds a breakpoint at a linear address; false if there was one already.</summary>
    public bool AddBreakpoint(ulong linear)
    {
        bool added = breakpoints.Add(linear);
        Update();
        return added;
    }

    public bool RemoveBreakpoint(ulong linear)
    {
        bool removed = breakpoints.Remove(linear);
        Update();
        return removed;
    }

    public void AddWatchpoint(ulong linear, ulong length, WatchKind kind)
    {
        watchpoints.Add(new DataWatchpoint(linear, length, kind, WatchOwner));
        Update();
    }

    public bool RemoveWatchpoint(ulong linear, ulong length, WatchKind kind)
    {
        bool removed = watchpoints.RemoveWhere(w => w == new DataWatchpoint(linear, length, kind, WatchOwner));
        Update();
        return removed;
    }

    /// <summary>Removes every breakpoint and watchpoint of the debugger (on detach or a dropped connection).</summary>
    public void Clear()
    {
        breakpoints.Clear();
        watchpoints.RemoveWhere(w => w.Owner == WatchOwner);
        StepRequested = false;
        Update();
    }

    /// <summary>Lets the processor run again: one instruction when <paramref name="step"/>, else until a stop.</summary>
    public void Resume(bool step)
    {
        StepRequested = step;
        IgnoreBreakpointOnce = true;
        LastStop = DebugStopKind.None;
        Update();
    }

    internal bool HasBreakpoint(ulong linear) => breakpoints.Contains(linear);

    internal void StepDone() => StepRequested = false;

    private void Update()
    {
        // Only its own watchpoints: the guest's DR0-DR3 share the set but not this debugger's stops.
        Watching = watchpoints.All.Any(w => w.Owner == WatchOwner);
        Armed = breakpoints.Count > 0 || StepRequested || Watching;
        Changed?.Invoke();
    }
}
