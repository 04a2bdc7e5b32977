using BenchmarkDotNet.Attributes;
using Cpu;
using Cpu.Translation;
using Mmu.Physical;

namespace Benchmarks.Cpu;

/// <summary>
/// Interpreter throughput on a compute-bound 64-bit guest loop (loads, stores, ALU, a multiply, a
/// compare and a branch per iteration; paging off). One operation is one retired guest instruction,
/// so the reported time per operation is the inverse of guest instructions per second.
/// </summary>
public class InterpreterThroughputBenchmark
{
    private const int InstructionsPerInvoke = 4_000_000;

    private PhysicalMemory ram = null!;
    private Processor cpu = null!;

    [GlobalSetup]
    public void Setup()
    {
        (ram, cpu) = ComputeLoopGuest.Create(JitMode.Off);
    }

    [GlobalCleanup]
    public void Cleanup() => ram.Dispose();

    [Benchmark(OperationsPerInvoke = InstructionsPerInvoke)]
    public long GuestInstructions()
    {
        cpu.Run(InstructionsPerInvoke);
        return cpu.InstructionsRetired;
    }
}
