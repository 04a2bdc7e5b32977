using Mmu.Io;

namespace Devices.Debug;

/// <summary>
/// QEMU's isa-debug-exit: a write of V to its port ends the machine with exit status (V &lt;&lt; 1) | 1,
/// so a guest test can report pass or fail as the process status.
/// </summary>
public sealed class DebugExit : IPortDevice
{
    public const ushort DefaultPort = 0xF4;

    /// <summary>The exit status the guest asked for, or null while it has not written.</summary>
    public int? ExitStatus { get; private set; }

    /// <summary>Raised once when the guest writes the port.</summary>
    public event Action<int>? Exited;

    public uint In(ushort port, int size) => size == 4 ? 0xFFFF_FFFFu : size == 2 ? 0xFFFFu : 0xFFu;

    public void Out(ushort port, int size, uint value)
    {
        uint masked = size == 4 ? value : value & ((1u << (size * 8)) - 1);
        int status = (int)((masked << 1) | 1) & 0xFF;
        ExitStatus ??= status;
        Exited?.Invoke(status);
    }
}
