using BenchmarkDotNet.Attributes;

namespace Benchmarks.Memory;

/// <summary>
/// Guest accesses whose translation is in the TLB (16 pages, 4-level paging): the fast path of
/// every guest load, store and instruction fetch. <see cref="HostRead64"/> is the same loop on a
/// raw host pointer, the floor.
/// </summary>
[MemoryDiagnoser]
public unsafe class TlbHitBenchmark
{
    private const ulong Base = 0xFFFF_8000_0040_0000;
    private const int Accesses = 1024;
    private GuestPageTables guest = null!;

    [GlobalSetup]
    public void Setup()
    {
        guest = new GuestPageTables(16 * 1024 * 1024);
        for (ulong i = 0; i < 16; i++)
        {
            guest.Map(Base + (i * 4096), 0x40_0000 + (i * 4096), GuestPageTables.Present | GuestPageTables.Writable | GuestPageTables.Dirty);
        }

        for (ulong i = 0; i < 16; i++)
        {
            guest.Memory.Write64(Base + (i * 4096), i);
            guest.Memory.Fetch8(Base + (i * 4096));
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // The counters show that the loop measured what it claims (hits, or one walk per access).
        Console.WriteLine($"// {GetType().Name}: {guest.Memory.Counters}");
        guest.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Accesses)]
    public ulong Read64()
    {
        var memory = guest.Memory;
        ulong sum = 0;
        for (ulong i = 0; i < Accesses; i++)
        {
            sum += memory.Read64(Base + ((i * 520) & 0xFFF8));
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Accesses)]
    public void Write64()
    {
        var memory = guest.Memory;
        for (ulong i = 0; i < Accesses; i++)
        {
            memory.Write64(Base + ((i * 520) & 0xFFF8), i);
        }
    }

    [Benchmark(OperationsPerInvoke = Accesses)]
    public ulong Fetch8()
    {
        var memory = guest.Memory;
        ulong sum = 0;
        for (ulong i = 0; i < Accesses; i++)
        {
            sum += memory.Fetch8(Base + ((i * 517) & 0xFFFF));
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Accesses)]
    public ulong HostRead64()
    {
        byte* host = guest.Ram.HostBase + 0x40_0000;
        ulong sum = 0;
        for (ulong i = 0; i < Accesses; i++)
        {
            sum += *(ulong*)(host + ((i * 520) & 0xFFF8));
        }

        return sum;
    }
}
