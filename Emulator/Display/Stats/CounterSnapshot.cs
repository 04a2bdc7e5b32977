namespace Emulator.Display.Stats;

/// <summary>
/// The machine's running totals at one moment (DESIGN.md section 8), as the window samples them about once a
/// second through a <c>Func&lt;CounterSnapshot&gt;</c>. All counts only grow, except across a reset.
/// </summary>
/// <param name="HostTime">Host wall-clock time of the sample (for example <c>Stopwatch.GetElapsedTime</c> since start).</param>
/// <param name="Instructions">Guest instructions retired.</param>
/// <param name="JitInstructions">Of those, instructions retired inside compiled (JIT) blocks.</param>
/// <param name="ContextSwitches">Address-space switches: CR3 writes that changed the address space.</param>
/// <param name="Cr3Writes">All writes to CR3.</param>
/// <param name="TlbFlushes">TLB flushes of any kind (full, by PCID, single page).</param>
public readonly record struct CounterSnapshot(TimeSpan HostTime, long Instructions, long JitInstructions, long ContextSwitches, long Cr3Writes, long TlbFlushes);
