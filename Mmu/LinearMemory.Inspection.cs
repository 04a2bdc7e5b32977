namespace Mmu;

/// <summary>The CPU's view of memory: a debugger's non-faulting access through the current paging.</summary>
public sealed unsafe partial class LinearMemory
{
    /// <summary>
    /// A debugger's read at a linear address through the current paging, without touching the TLB, the
    /// accessed/dirty bits or the counters; it stops at the first unmapped byte and returns how many it read.
    /// </summary>
    public int InspectRead(ulong linear, Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            if (!walker.TryInspect(linear + (ulong)i, out ulong physical))
            {
                return i;
            }

            destination[i] = (byte)Bus.Read(physical, 1);
        }

        return destination.Length;
    }

    /// <summary>
    /// A debugger's write at a linear address through the current paging, whatever the page's protection;
    /// decoded code on the page is invalidated as for any write. Returns false (writing nothing) when a byte is unmapped.
    /// </summary>
    public bool InspectWrite(ulong linear, ReadOnlySpan<byte> source)
    {
        var physical = new ulong[source.Length];
        for (int i = 0; i < source.Length; i++)
        {
            if (!walker.TryInspect(linear + (ulong)i, out physical[i]))
            {
                return false;
            }
        }

        for (int i = 0; i < source.Length; i++)
        {
            Bus.Write(physical[i], 1, source[i]);
            NotifyIfCode(physical[i], 1);
        }

        return true;
    }
}
