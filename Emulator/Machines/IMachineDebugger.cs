namespace Emulator.Machines;

/// <summary>
/// A debugger attached to a <see cref="Machine"/> (the gdb stub). The machine calls it on its run thread,
/// between instructions, so it sees and changes a consistent state without locks.
/// </summary>
public interface IMachineDebugger
{
    /// <summary>True when the debugger wants the machine stopped (it attached, or sent an interrupt); polled between slices.</summary>
    bool WantsStop { get; }

    /// <summary>
    /// The machine is stopped (<paramref name="debugEvent"/>: at a breakpoint, watchpoint or step; else on request):
    /// serve the debugger until it resumes. False ends the run.
    /// </summary>
    bool Serve(bool debugEvent);
}
