using Mmu.Tlb;

namespace Mmu;

/// <summary>The CPU's view of memory: which physical bytes hold decoded or compiled code (self-modifying code detection).</summary>
public sealed unsafe partial class LinearMemory
{
    /// <summary>
    /// Marks every byte of a physical page (by page number) as code: writes to it no longer take the
    /// fast path and raise <see cref="CodeWritten"/>.
    /// </summary>
    public void MarkCodePage(ulong physicalPage) => MarkCodeBytes(physicalPage << 12, 4096);

    /// <summary>
    /// Marks <paramref name="length"/> bytes at <paramref name="physicalAddress"/> (all on one page) as
    /// decoded or compiled code. Writes to the page leave the fast path; those that overlap a marked byte
    /// raise <see cref="CodeWritten"/> (QEMU keeps such a bitmap of code bytes per page too).
    /// </summary>
    public void MarkCodeBytes(ulong physicalAddress, int length)
    {
        ulong page = physicalAddress >> 12;
        if (!codePages.TryGetValue(page, out CodeBytes? bytes))
        {
            bytes = new CodeBytes();
            codePages.Add(page, bytes);
            tlb.RemoveFastWrite(page << 12);
        }

        bytes.Mark((int)(physicalAddress & 0xFFF), length);
    }

    /// <summary>
    /// Forgets which bytes of a physical page (by page number) are code, keeping the page off the write
    /// fast path: the owner marks the bytes still in use again (after it dropped some blocks).
    /// </summary>
    public void ClearCodeBytes(ulong physicalPage)
    {
        if (codePages.TryGetValue(physicalPage, out CodeBytes? bytes))
        {
            bytes.Clear();
        }
    }

    /// <summary>Forgets that a physical page (by page number) holds code; its writes take the fast path again.</summary>
    public void UnmarkCodePage(ulong physicalPage)
    {
        if (codePages.Remove(physicalPage) && !Watchpoints.Armed)
        {
            // (With watchpoints the slow bit may also mean "watched": the entry keeps it until the next flush.)
            tlb.RestoreFastWrite(physicalPage << 12);
        }
    }

    /// <summary>Whether a physical page (by page number) is marked as holding code.</summary>
    public bool IsCodePage(ulong physicalPage) => codePages.ContainsKey(physicalPage);
}
