using BenchmarkDotNet.Attributes;
using Mmu.Physical;

namespace Benchmarks.Memory;

/// <summary>Physical RAM reads through the bus: the floor under every guest memory access.</summary>
[MemoryDiagnoser]
public class PhysicalAccessBenchmark
{
    private PhysicalMemory ram = null!;
    private PhysicalBus bus = null!;

    [GlobalSetup]
    public void Setup()
    {
        ram = new PhysicalMemory(16 * 1024 * 1024);
        bus = new PhysicalBus(ram);
    }

    [GlobalCleanup]
    public void Cleanup() => ram.Dispose();

    [Benchmark(OperationsPerInvoke = 1024)]
    public ulong Read64()
    {
        ulong sum = 0;
        for (ulong a = 0; a < 1024 * 8; a += 8)
        {
            sum += bus.Read(a, 8);
        }

        return sum;
    }
}
