using System.Diagnostics;
using Cpu.Translation;

namespace Cpu.Tests.Fuzz;

/// <summary>
/// Runs fuzz streams (<see cref="FuzzScenario"/>, one per seed from a starting seed) under the interpreter and
/// with every block compiled, and checks each for no internal error, no hang (the run returns within its
/// instruction budget; a watchdog stops it otherwise) and the same final state and RAM under both tiers.
/// </summary>
public sealed class Fuzzer : IDisposable
{
    /// <summary>Instructions a stream may run: random code that loops is stopped here.</summary>
    public const long InstructionBudget = 5_000;

    /// <summary>
    /// Host time after which a run counts as hung: far beyond any stream's need, even on a loaded machine where one
    /// stream that wanders through random data compiles hundreds of blocks optimized (seen: 5 s of CPU, 9 s wall;
    /// and under load average ~50, two streams past 60 s wall that finished alone in 47 s wall, 8-9 s of CPU).
    /// </summary>
    public static readonly TimeSpan HangTimeout = TimeSpan.FromSeconds(180);

    private readonly FuzzMachine interpreter = new(JitMode.Off);
    private readonly FuzzMachine compiled = new(JitMode.Always);

    /// <summary>Runs streams from <paramref name="firstSeed"/> until <paramref name="maxStreams"/> have run or <paramref name="maxTime"/> has passed.</summary>
    public FuzzReport Run(int firstSeed, int maxStreams, TimeSpan maxTime)
    {
        var report = new FuzzReport();
        var clock = Stopwatch.StartNew();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (int i = 0; i < maxStreams && clock.Elapsed < maxTime; i++)
        {
            RunOne(FuzzScenario.FromSeed(unchecked(firstSeed + i)), report);
        }

        report.Seconds = clock.Elapsed.TotalSeconds;
        report.CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        return report;
    }

    /// <summary>Runs one stream and records what it found in <paramref name="report"/>.</summary>
    public void RunOne(FuzzScenario scenario, FuzzReport report)
    {
        report.Streams++;
        report.StreamsPerMode[(int)scenario.Mode]++;
        FuzzOutcome slow = RunTier(interpreter, scenario);
        FuzzOutcome fast = RunTier(compiled, scenario);
        if (slow.CrashMessage is not null || fast.CrashMessage is not null)
        {
            report.Crashes++;
            report.Add($"crash in {scenario}\n{slow.CrashMessage ?? fast.CrashMessage}");
            return;
        }

        if (slow.Hung || fast.Hung)
        {
            report.Hangs++;
            report.Add($"hang (no return within {HangTimeout.TotalSeconds} s) in {scenario}");
            return;
        }

        report.Instructions += slow.Retired;
        report.Endings[slow.Ending] = report.Endings.GetValueOrDefault(slow.Ending) + 1;
        string? difference = FuzzOutcome.FirstDifference(slow, fast) ?? RamDifference();
        if (difference is not null)
        {
            report.Disagreements++;
            report.Add($"tiers disagree in {scenario}\n{difference}");
        }
    }

    public void Dispose()
    {
        interpreter.Dispose();
        compiled.Dispose();
    }

    private static FuzzOutcome RunTier(FuzzMachine machine, FuzzScenario scenario)
    {
        using var watchdog = new CancellationTokenSource(HangTimeout);
        return machine.Run(scenario, InstructionBudget, watchdog.Token);
    }

    private string? RamDifference()
    {
        ReadOnlySpan<byte> a = interpreter.Ram;
        ReadOnlySpan<byte> b = compiled.Ram;
        int at = a.CommonPrefixLength(b);
        return at == a.Length ? null : $"RAM differs at 0x{at:X}: interpreter 0x{a[at]:X2}, JIT 0x{b[at]:X2}";
    }
}
