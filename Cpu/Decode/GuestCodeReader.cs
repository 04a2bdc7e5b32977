using Iced.Intel;
using Mmu;
using Mmu.Paging;

namespace Cpu.Decode;

/// <summary>
/// Feeds Iced's decoder with guest bytes fetched through <see cref="LinearMemory.Fetch8"/> (so fetches
/// are checked for execute permission) and stops at <see cref="Limit"/> (the end of the page).
/// Addresses are offsets in CS (what RIP holds); the byte is fetched at CS's base plus the offset, truncated
/// to 32 bits outside 64-bit mode (SDM Vol. 3A 3.4: a linear address is the segment base plus the offset).
/// A fetch that faults ends the stream and is remembered in <see cref="Fault"/>.
/// </summary>
internal sealed class GuestCodeReader : CodeReader
{
    private readonly LinearMemory memory;

    public GuestCodeReader(LinearMemory memory)
    {
        this.memory = memory;
    }

    /// <summary>Offset in CS of the next byte.</summary>
    public ulong Address;

    /// <summary>First offset that may not be read (exclusive).</summary>
    public ulong Limit;

    /// <summary>CS's base (0 in 64-bit mode).</summary>
    public ulong CodeBase;

    /// <summary>Linear addresses wrap at 4 GiB (every mode but 64-bit).</summary>
    public bool Wrap32;

    /// <summary>The linear address of CS:<paramref name="offset"/>.</summary>
    public ulong Linear(ulong offset) => Wrap32 ? (uint)(CodeBase + offset) : CodeBase + offset;

    /// <summary>The page fault of the last failed fetch, if any.</summary>
    public PageFaultException? Fault;

    public override int ReadByte()
    {
        if (Address >= Limit)
        {
            return -1;
        }

        try
        {
            return memory.Fetch8(Linear(Address++));
        }
        catch (PageFaultException e)
        {
            Fault = e;
            return -1;
        }
    }
}
