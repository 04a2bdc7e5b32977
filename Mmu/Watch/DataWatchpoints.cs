namespace Mmu.Watch;

/// <summary>
/// The data watchpoints <see cref="LinearMemory"/> checks on its slow path. A page holding a watched
/// address is kept off the TLB's read and write fast paths while the watchpoint exists, so every access
/// to it is seen here. A hit is recorded, never raised: data breakpoints are traps reported after the
/// instruction completes (Intel SDM 18.2.5), so the CPU asks for <see cref="Hits"/> at the boundary.
/// </summary>
public sealed class DataWatchpoints
{
    private const ulong PageMask = ~0xFFFUL;
    private readonly List<DataWatchpoint> watchpoints = [];

    /// <summary>Raised when the set changes: the TLB must forget its fast paths.</summary>
    internal event Action? Changed;

    /// <summary>Raised on the first hit after <see cref="ClearHits"/> (the CPU leaves its block there).</summary>
    public event Action? Triggered;

    /// <summary>True when at least one watchpoint exists (the only check on the slow path when none does).</summary>
    public bool Armed { get; private set; }

    /// <summary>The watchpoints hit since <see cref="ClearHits"/>, in the order they were added.</summary>
    public List<DataWatchpoint> Hits { get; } = [];

    /// <summary>The first linear address that hit since <see cref="ClearHits"/>.</summary>
    public ulong HitAddress { get; private set; }

    public IReadOnlyList<DataWatchpoint> All => watchpoints;

    public void Add(DataWatchpoint w)
    {
        watchpoints.Add(w);
        Update();
    }

    /// <summary>Removes the watchpoints that match <paramref name="predicate"/>; true when one was removed.</summary>
    public bool RemoveWhere(Predicate<DataWatchpoint> predicate)
    {
        bool removed = watchpoints.RemoveAll(predicate) > 0;
        if (removed)
        {
            Update();
        }

        return removed;
    }

    public void ClearHits() => Hits.Clear();

    /// <summary>True when a watched range touches the 4 KiB page of <paramref name="linearPage"/>.</summary>
    public bool CoversPage(ulong linearPage)
    {
        foreach (DataWatchpoint w in watchpoints)
        {
            if ((w.Start & PageMask) <= linearPage && linearPage <= ((w.Start + w.Length - 1) & PageMask))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Called by the slow path for every data access while <see cref="Armed"/>.</summary>
    internal void Observe(ulong linear, int size, bool write)
    {
        foreach (DataWatchpoint w in watchpoints)
        {
            if (w.Matches(linear, size, write) && !Hits.Contains(w))
            {
                if (Hits.Count == 0)
                {
                    HitAddress = linear;
                    Hits.Add(w);
                    Triggered?.Invoke();
                }
                else
                {
                    Hits.Add(w);
                }
            }
        }
    }

    private void Update()
    {
        Armed = watchpoints.Count > 0;
        Changed?.Invoke();
    }
}
