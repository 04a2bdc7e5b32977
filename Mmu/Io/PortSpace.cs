namespace Mmu.Io;

/// <summary>
/// The 64K port-I/O space. Each port has at most one handler; ports nobody claimed read as all-ones
/// and drop writes, as on a PC with nothing on the bus.
/// </summary>
public sealed class PortSpace
{
    private readonly IPortDevice?[] handlers = new IPortDevice?[65536];

    /// <summary>Reads of unclaimed ports.</summary>
    public long UnclaimedReads { get; private set; }

    /// <summary>Writes to unclaimed ports.</summary>
    public long UnclaimedWrites { get; private set; }

    /// <summary>Claims <paramref name="count"/> ports from <paramref name="first"/> for <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentException">A port in the range already has a handler.</exception>
    public void Register(ushort first, int count, IPortDevice device)
    {
        if (count <= 0 || first + count > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        for (int p = first; p < first + count; p++)
        {
            if (handlers[p] is not null)
            {
                throw new ArgumentException($"port 0x{p:X4} is already claimed by {handlers[p]!.GetType().Name}");
            }
        }

        for (int p = first; p < first + count; p++)
        {
            handlers[p] = device;
        }
    }

    /// <summary>The handler of a port, or null.</summary>
    public IPortDevice? HandlerOf(ushort port) => handlers[port];

    public uint In(ushort port, int size)
    {
        IPortDevice? d = handlers[port];
        if (d is null)
        {
            UnclaimedReads++;
            return size == 4 ? 0xFFFF_FFFFu : size == 2 ? 0xFFFFu : 0xFFu;
        }

        return d.In(port, size);
    }

    public void Out(ushort port, int size, uint value)
    {
        IPortDevice? d = handlers[port];
        if (d is null)
        {
            UnclaimedWrites++;
            return;
        }

        d.Out(port, size, value);
    }
}
