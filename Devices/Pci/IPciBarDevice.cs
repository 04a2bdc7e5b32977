namespace Devices.Pci;

/// <summary>
/// A PCI function whose BARs are reached through the bus windows: memory BARs through
/// <see cref="PciMemoryWindow"/>, I/O BARs through <see cref="PciIoWindow"/>.
/// </summary>
public interface IPciBarDevice
{
    ulong ReadBar(int bar, ulong offset, int size);

    void WriteBar(int bar, ulong offset, int size, ulong value);
}
