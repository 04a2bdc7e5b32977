using BenchmarkDotNet.Attributes;
using Benchmarks.Cpu;
using Cpu;
using Cpu.Translation;
using Mmu.Physical;

namespace Benchmarks.Jit;

/// <summary>
/// Guest instructions per second of the same compute-bound 64-bit loop as the interpreter benchmark
/// (loads, stores, ALU, a multiply, a compare, SETcc and a branch per iteration; paging off), with the
/// JIT off, on (tier-up on a background thread) and always. One operation is one retired guest
/// instruction. The JIT counters (compiled blocks, compile time) are printed at the end of each case.
/// </summary>
[ShortRunJob]
public class JitThroughputBenchmark
{
    private const int InstructionsPerInvoke = 4_000_000;

    private PhysicalMemory ram = null!;
    private Processor cpu = null!;

    [Params(JitMode.Off, JitMode.On, JitMode.Always)]
    public JitMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (ram, cpu) = ComputeLoopGuest.Create(Mode);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        JitCounters c = cpu.Jit.Counters;
        double compiledShare = cpu.InstructionsRetired == 0 ? 0 : 100.0 * c.InstructionsInCompiledCode / cpu.InstructionsRetired;
        Console.WriteLine($"// JIT {Mode}: {c.BlocksCompiled} blocks compiled, median {c.MedianCompileMicroseconds:F0} us, p99 {c.P99CompileMicroseconds:F0} us, {compiledShare:F1}% of instructions in compiled code, {c.Invalidations} invalidations");
        ram.Dispose();
    }

    [Benchmark(OperationsPerInvoke = InstructionsPerInvoke)]
    public long GuestInstructions()
    {
        cpu.Run(InstructionsPerInvoke);
        return cpu.InstructionsRetired;
    }
}
