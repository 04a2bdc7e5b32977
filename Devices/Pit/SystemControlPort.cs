using Devices.Timing;
using Mmu.Io;

namespace Devices.Pit;

/// <summary>
/// Port 0x61, system control port B: bit 0 drives the PIT channel 2 gate, bit 1 the speaker data enable;
/// reads add bit 4 (the refresh toggle, flipping every 15.085 us, which BIOS-era delay loops poll) and
/// bit 5 (channel 2's OUT).
/// </summary>
public sealed class SystemControlPort(Pit8254 pit, VirtualClock clock) : IPortDevice
{
    public const ushort Port = 0x61;

    private byte control;

    /// <summary>Bit 1: the speaker is driven by channel 2.</summary>
    public bool SpeakerEnabled => (control & 2) != 0;

    public void Register(PortSpace ports) => ports.Register(Port, 1, this);

    /// <summary>RESET: gate and speaker off (the PIT's own reset gives channel 2 a low gate too).</summary>
    public void Reset() => control = 0;

    public uint In(ushort port, int size)
    {
        bool refresh = ((clock.NowNs / 15_085) & 1) != 0;
        return (uint)((control & 0x0F) | (refresh ? 0x10 : 0) | (pit.Channel(2).Out ? 0x20 : 0));
    }

    public void Out(ushort port, int size, uint value)
    {
        control = (byte)(value & 0x0F);
        pit.Channel(2).Gate = (control & 1) != 0;
    }
}
