namespace Devices.Pci;

/// <summary>The i440FX host bridge at 00:00.0 (8086:1237), as on QEMU's pc machine.</summary>
public sealed class HostBridge : PciFunction
{
    public HostBridge()
        : base(0x8086, 0x1237, 0x06_00_00, revision: 0x02)
    {
    }
}
