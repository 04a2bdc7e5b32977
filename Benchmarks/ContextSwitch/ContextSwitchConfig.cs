using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Benchmarks.ContextSwitch;

/// <summary>
/// One boot per measured invocation (a boot takes seconds, so no pilot stage and few iterations),
/// in process so that <see cref="GuestRuns"/> reaches the columns, plus the per-operation columns.
/// </summary>
public sealed class ContextSwitchConfig : ManualConfig
{
    public ContextSwitchConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithId("emu"));
        AddColumn(PerOperationColumn.All);
        AddColumn(StatisticColumn.Median);
        HideColumns(Column.Error, Column.StdDev);
    }
}
