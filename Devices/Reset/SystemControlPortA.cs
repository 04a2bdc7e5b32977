using Mmu.Io;

namespace Devices.Reset;

/// <summary>
/// Port 0x92, system control port A (the PS/2 "fast A20 and reset" port): bit 0 written 0 to 1 pulses the
/// CPU's reset line, bit 1 is the A20 gate (read back; A20 is never masked here, as on every PC since the
/// i486 emu models). Reads return the last value written; RESET clears bit 0, so the next 0-to-1 write resets again.
/// </summary>
public sealed class SystemControlPortA : IPortDevice
{
    public const ushort Port = 0x92;

    private const byte FastReset = 1 << 0;
    private const byte A20Gate = 1 << 1;

    private byte value = A20Gate;

    /// <summary>Raised when the guest sets bit 0 (fast reset).</summary>
    public event Action? ResetRequested;

    public void Register(PortSpace ports) => ports.Register(Port, 1, this);

    /// <summary>RESET: the reset bit reads 0 again; A20 keeps its state.</summary>
    public void Reset() => value &= unchecked((byte)~FastReset);

    public uint In(ushort port, int size) => value;

    public void Out(ushort port, int size, uint written)
    {
        byte b = (byte)written;
        bool pulse = (b & FastReset) != 0 && (value & FastReset) == 0;
        value = b;
        if (pulse)
        {
            ResetRequested?.Invoke();
        }
    }
}
