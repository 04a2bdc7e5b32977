using BenchmarkDotNet.Attributes;
using Mmu.Paging;

namespace Benchmarks.Memory;

/// <summary>
/// Accesses that miss the TLB: 65536 distinct 4 KiB pages in a row, more than the first level and
/// the victim level hold, so every access walks the four levels and refills an entry. The walker
/// alone (no TLB) is measured beside it.
/// </summary>
[MemoryDiagnoser]
public class TlbMissBenchmark
{
    private const ulong Base = 0x0000_0010_0000_0000;
    private const int Pages = 65536;
    private GuestPageTables guest = null!;

    [GlobalSetup]
    public void Setup()
    {
        guest = new GuestPageTables(64 * 1024 * 1024);
        for (ulong i = 0; i < Pages; i++)
        {
            // All pages share a few frames: what matters here is the walk, not the data.
            guest.Map(Base + (i * 4096), 0x200_0000 + ((i & 15) * 4096), GuestPageTables.Present | GuestPageTables.Writable);
        }

        Read64Miss();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // The counters show that the loop measured what it claims (hits, or one walk per access).
        Console.WriteLine($"// {GetType().Name}: {guest.Memory.Counters}");
        guest.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Pages)]
    public ulong Read64Miss()
    {
        var memory = guest.Memory;
        ulong sum = 0;
        for (ulong i = 0; i < Pages; i++)
        {
            sum += memory.Read64(Base + (i * 4096));
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pages)]
    public ulong WalkOnly()
    {
        PageWalker walker = guest.Memory.Walker;
        ulong sum = 0;
        for (ulong i = 0; i < Pages; i++)
        {
            walker.TryTranslate(Base + (i * 4096), AccessKind.Read, PrivilegeContext.Supervisor, out Translation t, out _);
            sum += t.PhysicalAddress;
        }

        return sum;
    }
}
