using System.Collections.Concurrent;
using Emulator.Machines;

namespace Benchmarks.ContextSwitch;

/// <summary>
/// What the guest runs counted, by case and iteration count. The clock is deterministic, so every
/// run of one (case, count) counts the same; the benchmark runs in process so the columns see this.
/// </summary>
public static class GuestRuns
{
    private static readonly ConcurrentDictionary<(string Case, int Iterations), (MachineCounters Counters, string BenchLine)> Runs = new();

    public static void Record(string benchCase, int iterations, MachineCounters counters, string benchLine) =>
        Runs[(benchCase, iterations)] = (counters, benchLine);

    public static bool TryGet(string benchCase, int iterations, out MachineCounters counters, out string benchLine)
    {
        bool found = Runs.TryGetValue((benchCase, iterations), out var run);
        counters = run.Counters;
        benchLine = run.BenchLine;
        return found;
    }
}
