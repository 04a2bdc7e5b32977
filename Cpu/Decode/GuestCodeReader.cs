using Iced.Intel;
using Mmu;
using Mmu.Paging;

namespace Cpu.Decode;

/// <summary>
/// Feeds Iced's decoder with guest bytes fetched through <see cref="LinearMemory.Fetch8"/> (so fetches
/// are checked for execute permission) and stops at <see cref="Limit"/> (the end of the page).
/// A fetch that faults ends the stream and is remembered in <see cref="Fault"/>.
/// </summary>
internal sealed class GuestCodeReader : CodeReader
{
    private readonly LinearMemory memory;

    public GuestCodeReader(LinearMemory memory)
    {
        this.memory = memory;
    }

    /// <summary>Linear address of the next byte.</summary>
    public ulong Address;

    /// <summary>First linear address that may not be read (exclusive).</summary>
    public ulong Limit;

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
            return memory.Fetch8(Address++);
        }
        catch (PageFaultException e)
        {
            Fault = e;
            return -1;
        }
    }
}
