using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Emulator.Machines;

namespace Benchmarks.ContextSwitch;

/// <summary>
/// A per-guest-operation figure: (value at the larger iteration count - value at the smaller) /
/// (difference of the counts), shown on the larger count's row. The value is the run's median host
/// time (<see cref="HostNanoseconds"/>) or one of the emulator's counters.
/// </summary>
public sealed class PerOperationColumn : IColumn
{
    private readonly Func<MachineCounters, double>? counter;
    private readonly string format;

    private PerOperationColumn(string name, string legend, Func<MachineCounters, double>? counter, string format)
    {
        ColumnName = name;
        Legend = legend;
        this.counter = counter;
        this.format = format;
    }

    public static PerOperationColumn HostNanoseconds { get; } =
        new("host ns/op", "Host nanoseconds per guest operation (difference of the median run times)", null, "F1");

    public static IColumn[] All { get; } =
    [
        HostNanoseconds,
        new PerOperationColumn("instr/op", "Guest instructions retired per operation", c => c.InstructionsRetired, "F1"),
        new PerOperationColumn("CR3 wr/op", "CR3 writes per operation", c => c.Cr3Writes, "F2"),
        new PerOperationColumn("TLB flush/op", "TLB flushes (full, by PCID, single page) per operation", c => c.TlbFullFlushes + c.TlbPcidFlushes + c.TlbPageFlushes, "F2"),
        new PerOperationColumn("TLB miss/op", "TLB misses per operation", c => c.TlbMisses, "F2"),
        new PerOperationColumn("transitions/op", "User/kernel transitions (all kinds) per operation", c => c.TransitionsByKind.Sum(t => t.Value), "F2"),
        new PerOperationColumn("guest BENCH line", "What ipcbench printed (RDTSC cycles and RDPMC instructions per operation, measured by the guest)", null, string.Empty),
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
            return GuestRuns.TryGet(benchCase, iterations, out _, out string line) ? line : "-";
        }

        if (iterations != ContextSwitchBenchmark.ManyIterations)
        {
            return "-";
        }

        double? many = Value(summary, benchmarkCase, benchCase, ContextSwitchBenchmark.ManyIterations);
        BenchmarkCase? fewCase = summary.BenchmarksCases.FirstOrDefault(b =>
            (string)b.Parameters["Case"] == benchCase && (int)b.Parameters["Iterations"] == ContextSwitchBenchmark.FewIterations);
        double? few = fewCase is null ? null : Value(summary, fewCase, benchCase, ContextSwitchBenchmark.FewIterations);
        if (many is null || few is null)
        {
            return "?";
        }

        double perOp = (many.Value - few.Value) / (ContextSwitchBenchmark.ManyIterations - ContextSwitchBenchmark.FewIterations);
        return perOp.ToString(format, CultureInfo.InvariantCulture);
    }

    private double? Value(Summary summary, BenchmarkCase benchmarkCase, string benchCase, int iterations)
    {
        if (counter is null)
        {
            return summary[benchmarkCase]?.ResultStatistics?.Median;
        }

        return GuestRuns.TryGet(benchCase, iterations, out MachineCounters counters, out _) ? counter(counters) : null;
    }
}
