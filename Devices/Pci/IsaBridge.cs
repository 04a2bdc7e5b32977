namespace Devices.Pci;

/// <summary>The PIIX3 PCI-to-ISA bridge at 00:01.0 (8086:7000), a multi-function device as on QEMU's pc machine.</summary>
public sealed class IsaBridge : PciFunction
{
    public IsaBridge()
        : base(0x8086, 0x7000, 0x06_01_00, revision: 0x00, headerType: 0x80)
    {
    }
}
