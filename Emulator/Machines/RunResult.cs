namespace Emulator.Machines;

/// <summary>How a run ended.</summary>
/// <param name="Cause">Why it stopped.</param>
/// <param name="DebugExitStatus">The isa-debug-exit status, when the guest wrote it.</param>
/// <param name="MatchedLine">The serial line that matched, for <see cref="StopCause.SerialLineMatched"/>.</param>
/// <param name="Counters">The machine's counters at the end.</param>
public sealed record RunResult(StopCause Cause, int? DebugExitStatus, string? MatchedLine, MachineCounters Counters);
