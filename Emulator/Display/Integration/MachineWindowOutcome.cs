using Emulator.Machines;

namespace Emulator.Display.Integration;

/// <summary>How a run in the window ended.</summary>
/// <param name="Result">The machine's run result (StopRequested when the window was closed).</param>
/// <param name="ClosedByUser">The user closed the window, which powered the machine off.</param>
public sealed record MachineWindowOutcome(RunResult Result, bool ClosedByUser);
