using Emulator.Display.Stats;
using Emulator.Machines;
using Mmu;

namespace Emulator.Display.Integration;

/// <summary>
/// Samples a machine's counters for the window's title and overlay, about once a second from the window's
/// thread (the counters are plain fields: a sample may be a few instructions stale, which a rate per second
/// does not notice). CR3 writes and TLB flushes come from the memory system's counters; context switches are
/// counted as CR3 writes until the machine counts address-space switches by themselves; JIT-retired
/// instructions are not counted yet (DESIGN.md section 8) and show as 0%.
/// </summary>
public static class MachineCounterSource
{
    public static Func<CounterSnapshot> For(Machine machine)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return () =>
        {
            MmuCounters mmu = machine.Memory.Counters;
            long cr3Writes = mmu.Cr3WritesWithFlush + mmu.Cr3WritesWithoutFlush;
            long flushes = mmu.FullFlushes + mmu.NonGlobalFlushes + mmu.PcidFlushes + mmu.PageFlushes;
            return new CounterSnapshot(clock.Elapsed, machine.Processor.InstructionsRetired, JitInstructions: machine.Processor.Jit.Counters.InstructionsInCompiledCode, ContextSwitches: cr3Writes, Cr3Writes: cr3Writes, TlbFlushes: flushes);
        };
    }
}
