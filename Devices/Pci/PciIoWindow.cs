using Mmu.Io;

namespace Devices.Pci;

/// <summary>
/// The ports PCI I/O BARs are placed in (0xC000-0xFFFF, where SeaBIOS puts them): an access goes to whichever
/// function's enabled I/O BAR decodes the port. A BAR moved outside this range no longer decodes.
/// </summary>
public sealed class PciIoWindow(PciBus bus) : IPortDevice
{
    public const ushort Start = 0xC000;
    public const int Length = 0x10000 - Start;

    public void Register(PortSpace ports) => ports.Register(Start, Length, this);

    public uint In(ushort port, int size) =>
        bus.TryDecode(port, io: true, out IPciBarDevice d, out int bar, out ulong offset) ? (uint)d.ReadBar(bar, offset, size) : (uint)PciBus.AllOnes(size);

    public void Out(ushort port, int size, uint value)
    {
        if (bus.TryDecode(port, io: true, out IPciBarDevice d, out int bar, out ulong offset))
        {
            d.WriteBar(bar, offset, size, value);
        }
    }
}
