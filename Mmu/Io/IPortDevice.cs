namespace Mmu.Io;

/// <summary>A device that answers port I/O (IN/OUT) on the ports it registered in a <see cref="PortSpace"/>.</summary>
public interface IPortDevice
{
    /// <summary>Reads <paramref name="size"/> bytes (1, 2 or 4) from <paramref name="port"/>.</summary>
    uint In(ushort port, int size);

    /// <summary>Writes the low <paramref name="size"/> bytes (1, 2 or 4) of <paramref name="value"/> to <paramref name="port"/>.</summary>
    void Out(ushort port, int size, uint value);
}
