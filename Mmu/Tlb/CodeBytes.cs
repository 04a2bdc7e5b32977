namespace Mmu.Tlb;

/// <summary>
/// Which bytes of one 4 KiB physical page hold decoded code: one bit per byte. A write to the page is
/// checked against it, so that stores to data beside code do not throw the code away.
/// </summary>
public sealed class CodeBytes
{
    private readonly ulong[] bits = new ulong[4096 / 64];

    /// <summary>Marks <paramref name="length"/> bytes from <paramref name="offset"/> (clipped to the page).</summary>
    public void Mark(int offset, int length) => Visit(offset, length, mark: true);

    /// <summary>True when any of <paramref name="length"/> bytes from <paramref name="offset"/> is marked.</summary>
    public bool Overlaps(int offset, int length) => Visit(offset, length, mark: false);

    /// <summary>Unmarks every byte.</summary>
    public void Clear() => Array.Clear(bits);

    /// <summary>Walks the range a bitmap word at a time: sets its bits, or returns true at the first marked one.</summary>
    private bool Visit(int offset, int length, bool mark)
    {
        int end = Math.Min(4096, offset + length);
        for (int i = offset; i < end;)
        {
            int bit = i & 63;
            int n = Math.Min(64 - bit, end - i);
            ulong span = (n == 64 ? ulong.MaxValue : (1UL << n) - 1) << bit;
            if (mark)
            {
                bits[i >> 6] |= span;
            }
            else if ((bits[i >> 6] & span) != 0)
            {
                return true;
            }

            i += n;
        }

        return false;
    }
}
