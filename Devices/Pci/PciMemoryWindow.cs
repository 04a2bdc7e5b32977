using Mmu.Io;

namespace Devices.Pci;

/// <summary>
/// The PCI memory hole below the IOAPIC: accesses go to whichever function's enabled memory BAR decodes
/// the address, so a guest may move a BAR and find its device there.
/// </summary>
public sealed class PciMemoryWindow(PciBus bus) : IMmioDevice
{
    public const ulong Start = 0xE000_0000;
    public const ulong Length = 0xFEC0_0000 - Start;

    public void Register(Mmu.Physical.PhysicalBus physical) => physical.RegisterMmio(Start, Length, this);

    public ulong Read(ulong offset, int size) =>
        bus.TryDecode(Start + offset, io: false, out IPciBarDevice d, out int bar, out ulong inBar) ? d.ReadBar(bar, inBar, size) : PciBus.AllOnes(size);

    public void Write(ulong offset, int size, ulong value)
    {
        if (bus.TryDecode(Start + offset, io: false, out IPciBarDevice d, out int bar, out ulong inBar))
        {
            d.WriteBar(bar, inBar, size, value);
        }
    }
}
