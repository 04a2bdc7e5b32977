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

    public ulong Read(ulong offset, int size)
    {
        ulong address = Start + offset;
        foreach (PciFunction f in bus.Functions)
        {
            if (f is IPciMemoryDevice d && Decodes(f, address, out int bar, out ulong inBar))
            {
                return d.ReadBar(bar, inBar, size);
            }
        }

        return size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
    }

    public void Write(ulong offset, int size, ulong value)
    {
        ulong address = Start + offset;
        foreach (PciFunction f in bus.Functions)
        {
            if (f is IPciMemoryDevice d && Decodes(f, address, out int bar, out ulong inBar))
            {
                d.WriteBar(bar, inBar, size, value);
                return;
            }
        }
    }

    private static bool Decodes(PciFunction f, ulong address, out int bar, out ulong inBar)
    {
        if (f.MemoryEnabled)
        {
            for (bar = 0; bar < 6; bar++)
            {
                uint size = f.BarSize(bar);
                ulong baseAddress = f.BarAddress(bar);
                if (size != 0 && baseAddress != 0 && address - baseAddress < size)
                {
                    inBar = address - baseAddress;
                    return true;
                }
            }
        }

        bar = -1;
        inBar = 0;
        return false;
    }
}
