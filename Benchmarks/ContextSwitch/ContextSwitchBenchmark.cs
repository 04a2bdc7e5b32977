using BenchmarkDotNet.Attributes;
using Benchmarks.Machine;
using Devices.Timing;
using Emulator.Boot;
using Emulator.Machines;

namespace Benchmarks.ContextSwitch;

/// <summary>
/// The cost of Mica's boundaries on emu (DESIGN.md section 8): each invocation boots Mica with
/// <c>test=ipcbench case=CASE iters=N</c> and runs it to its debug-exit. Two iteration counts per
/// case; the columns of <see cref="ContextSwitchConfig"/> difference them, so the boot cancels out
/// and what is left is the cost of one guest operation: host nanoseconds, guest instructions and
/// the emulator's counters (CR3 writes, TLB flushes and misses, user/kernel transitions).
/// Besides BenchmarkDotNet's wall time, each run's process CPU time is kept: on a shared machine
/// the wall time also counts the waits for a core.
/// </summary>
[Config(typeof(ContextSwitchConfig))]
public class ContextSwitchBenchmark
{
    /// <summary>The two iteration counts whose difference is measured.</summary>
    public const int FewIterations = 2_000;
    public const int ManyIterations = 102_000;

    private MachineConfiguration configuration = null!;

    [Params("null_syscall", "ipc_roundtrip", "scheme_read", "kernel_read")]
    public string Case { get; set; } = "ipc_roundtrip";

    [Params(FewIterations, ManyIterations)]
    public int Iterations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string kernel = GuestImages.Find("mica.elf");
        string initfs = GuestImages.Find("initfs.tar");
        configuration = new MachineConfiguration
        {
            KernelPath = kernel,
            Modules = [new MultibootModule(initfs, initfs)],
            CommandLine = $"test=ipcbench case={Case} iters={Iterations}",
            ClockMode = ClockMode.Deterministic,
        };
    }

    /// <summary>Boot, run the one case, leave through debug-exit.</summary>
    [Benchmark]
    public long BootAndRun() => GuestRuns.BootAndRecord(configuration, "ipcbench", Case, Iterations);
}
