using BenchmarkDotNet.Attributes;
using Benchmarks.ContextSwitch;
using Benchmarks.Machine;
using Devices.Timing;
using Emulator.Boot;
using Emulator.Machines;

namespace Benchmarks.Disk;

/// <summary>
/// 4 KiB reads and writes, sequential and random, through Mica's disk: (blkd) and file: (ext2fs on blkd) on
/// emu's virtio-blk: each invocation boots Mica with <c>test=diskbench case=CASE ops=N</c> on a fresh image and
/// runs it to its debug-exit. Two op counts per case; the per-operation columns difference them (boot and
/// setup cancel), giving host time, guest instructions, CR3 writes and transitions per 4 KiB operation (the
/// IPC and context-switch share). The same cases on QEMU TCG: Benchmarks/Disk/qemu-diskbench.sh.
/// Needs mke2fs (e2fsprogs).
/// </summary>
[Config(typeof(ContextSwitchConfig))]
public class DiskBenchmark
{
    public const int FewOps = 64;
    public const int ManyOps = 576;

    private MachineConfiguration configuration = null!;
    private string image = string.Empty;

    [Params("disk_seq_read", "disk_seq_write", "disk_rand_read", "disk_rand_write", "file_seq_read", "file_seq_write", "file_rand_read", "file_rand_write")]
    public string Case { get; set; } = "disk_seq_read";

    [Params(FewOps, ManyOps)]
    public int Iterations { get; set; }

    /// <summary>The disk's image I/O on a worker thread (aio=threads) or on the CPU thread (aio=inline, the default).</summary>
    [Params(false, true)]
    public bool IoWorker { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string kernel = GuestImages.Find("mica.elf");
        string initfs = GuestImages.Find("initfs.tar");
        image = Path.Combine(Path.GetTempPath(), $"emu-diskbench-{Environment.ProcessId}.img");
        configuration = new MachineConfiguration
        {
            KernelPath = kernel,
            Modules = [new MultibootModule(initfs, initfs)],
            CommandLine = $"test=diskbench case={Case} ops={Iterations}",
            ClockMode = ClockMode.Deterministic,
            Drives = [new DriveConfiguration(image, IoWorker: IoWorker)],
        };
    }

    [IterationSetup]
    public void FreshImage() => BenchImage.Make(image);

    [GlobalCleanup]
    public void Cleanup() => File.Delete(image);

    /// <summary>Boot, run the case, leave through debug-exit.</summary>
    [Benchmark]
    public long BootAndRun() => GuestRuns.BootAndRecord(configuration, "diskbench", Case, Iterations);
}
