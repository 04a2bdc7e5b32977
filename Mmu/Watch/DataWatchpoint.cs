namespace Mmu.Watch;

/// <summary>
/// One watched range of linear addresses. <paramref name="Owner"/> tells whose it is (a guest DR0-DR3
/// slot or a debugger's watchpoint), so each can find its own hits.
/// </summary>
public readonly record struct DataWatchpoint(ulong Start, ulong Length, WatchKind Kind, int Owner)
{
    /// <summary>Whether an access of <paramref name="size"/> bytes at <paramref name="linear"/> touches the range.</summary>
    public bool Matches(ulong linear, int size, bool write) =>
        (Kind == WatchKind.Access || (Kind == WatchKind.Write) == write)
        && linear < Start + Length && Start < linear + (ulong)size;
}
