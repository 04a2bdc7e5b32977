using System.Collections.Concurrent;
using Emulator.Machines;

namespace Benchmarks.ContextSwitch;

/// <summary>
/// What the guest runs counted, by case and iteration count. The clock is deterministic, so every
/// run of one (case, count) counts the same; the benchmark runs in process so the columns see this.
/// The host CPU time differs from run to run: each run's is kept.
/// </summary>
public static class GuestRuns
{
    private static readonly ConcurrentDictionary<(string Case, int Iterations), Run> Runs = new();

    public static void Record(string benchCase, int iterations, MachineCounters counters, string benchLine, double cpuNanoseconds)
    {
        Run run = Runs.GetOrAdd((benchCase, iterations), _ => new Run());
        lock (run)
        {
            run.Counters = counters;
            run.BenchLine = benchLine;
            run.CpuNanoseconds.Add(cpuNanoseconds);
        }
    }

    /// <summary>
    /// Boots <paramref name="configuration"/>, runs the guest test to its debug-exit, and records its counters, its
    /// "BENCH CASE ..." line and the process CPU time; throws when the test did not pass.
    /// </summary>
    public static long BootAndRecord(MachineConfiguration configuration, string test, string benchCase, int iterations)
    {
        TimeSpan cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        using var machine = new Emulator.Machines.Machine(configuration);
        RunResult result = machine.RunUntil(RunCondition.Timeout(TimeSpan.FromMinutes(10)));
        TimeSpan cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        string? line = machine.SerialTranscript.Split('\n').FirstOrDefault(l => l.StartsWith("BENCH " + benchCase + " ", StringComparison.Ordinal));
        if (result.Cause != StopCause.DebugExit || !machine.SerialTranscript.Contains($"TEST {test}: PASS", StringComparison.Ordinal) || line is null)
        {
            throw new InvalidOperationException($"{test} {benchCase} did not pass on emu: {result.Cause}\n{machine.SerialTranscript}");
        }

        Record(benchCase, iterations, result.Counters, line, cpu.TotalNanoseconds);
        return result.Counters.InstructionsRetired;
    }

    public static Run? Get(string benchCase, int iterations) => Runs.TryGetValue((benchCase, iterations), out Run? run) ? run : null;

    /// <summary>The runs of one (case, count).</summary>
    public sealed class Run
    {
        public MachineCounters Counters { get; set; } = new();

        public string BenchLine { get; set; } = string.Empty;

        /// <summary>Process CPU time of each run (the warm-up's included).</summary>
        public List<double> CpuNanoseconds { get; } = [];

        public double MedianCpuNanoseconds
        {
            get
            {
                lock (this)
                {
                    var sorted = CpuNanoseconds.Order().ToList();
                    int n = sorted.Count;
                    return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
                }
            }
        }
    }
}
