using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Emulator.Machines;

namespace Benchmarks.ContextSwitch;

/// <summary>
/// A per-guest-operation figure: (value at the larger iteration count - value at the smaller) /
/// (difference of the counts), shown on the larger count's row. Any benchmark with "Case" and
/// "Iterations" parameters and runs recorded in <see cref="GuestRuns"/> can use it. The value is the run's median host
/// time, its median process CPU time or one of the emulator's counters.
/// </summary>
public sealed class PerOperationColumn : IColumn
{
    private readonly Func<Summary, BenchmarkCase, GuestRuns.Run, double?> value;
    private readonly string format;

    private PerOperationColumn(string name, string legend, Func<Summary, BenchmarkCase, GuestRuns.Run, double?> value, string format)
    {
        ColumnName = name;
        Legend = legend;
        this.value = value;
        this.format = format;
    }

    private static PerOperationColumn Counter(string name, string legend, Func<MachineCounters, double> counter) =>
        new(name, legend, (_, _, run) => counter(run.Counters), "F2");

    public static IColumn[] All { get; } =
    [
        new PerOperationColumn("host ns/op", "Host wall nanoseconds per guest operation (difference of the median run times)",
            (summary, benchmarkCase, _) => summary[benchmarkCase]?.ResultStatistics?.Median, "F1"),
        new PerOperationColumn("host CPU ns/op", "Host CPU nanoseconds (process user + system) per guest operation (difference of the median CPU times)",
            (_, _, run) => run.MedianCpuNanoseconds, "F1"),
        Counter("instr/op", "Guest instructions retired per operation", c => c.InstructionsRetired),
        Counter("CR3 wr/op", "CR3 writes per operation", c => c.Cr3Writes),
        Counter("TLB flush/op", "TLB flushes (full, by PCID, single page) per operation", c => c.TlbFullFlushes + c.TlbPcidFlushes + c.TlbPageFlushes),
        Counter("TLB miss/op", "TLB misses per operation", c => c.TlbMisses),
        Counter("transitions/op", "User/kernel transitions (all kinds) per operation", c => c.TransitionsByKind.Sum(t => t.Value)),
        new PerOperationColumn("guest BENCH line", "What the guest benchmark printed (its own time and RDPMC instructions per operation)",
            (_, _, _) => null, string.Empty),
    ];

    public string Id => "PerOperation." + ColumnName;

    public string ColumnName { get; }

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => format.Length > 0;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend { get; }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        string benchCase = (string)benchmarkCase.Parameters["Case"];
        int iterations = (int)benchmarkCase.Parameters["Iterations"];
        if (format.Length == 0)
        {
            return GuestRuns.Get(benchCase, iterations)?.BenchLine ?? "-";
        }

        // The case's smallest and largest iteration counts (each benchmark chooses its own two).
        List<BenchmarkCase> sameCase = [.. summary.BenchmarksCases.Where(b => (string)b.Parameters["Case"] == benchCase)];
        int fewest = sameCase.Min(b => (int)b.Parameters["Iterations"]), most = sameCase.Max(b => (int)b.Parameters["Iterations"]);
        if (iterations != most || fewest == most)
        {
            return "-";
        }

        double? many = Value(summary, benchmarkCase, most);
        BenchmarkCase fewCase = sameCase.First(b => (int)b.Parameters["Iterations"] == fewest);
        double? few = Value(summary, fewCase, fewest);
        if (many is null || few is null)
        {
            return "?";
        }

        double perOp = (many.Value - few.Value) / (most - fewest);
        return perOp.ToString(format, CultureInfo.InvariantCulture);
    }

    private double? Value(Summary summary, BenchmarkCase benchmarkCase, int iterations)
    {
        GuestRuns.Run? run = GuestRuns.Get((string)benchmarkCase.Parameters["Case"], iterations);
        return run is null ? null : value(summary, benchmarkCase, run);
    }
}
