namespace Devices.Pci;

/// <summary>A PCI function with memory BARs reached through the <see cref="PciMemoryWindow"/>.</summary>
public interface IPciMemoryDevice
{
    ulong ReadBar(int bar, ulong offset, int size);

    void WriteBar(int bar, ulong offset, int size, ulong value);
}
