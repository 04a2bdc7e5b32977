using Devices.Display;
using Devices.Pci;
using Mmu.Io;

namespace Devices.Tests.Pci;

public class PciBusTests
{
    private static (PciBus Bus, PortSpace Ports, BochsDisplay Display) Create()
    {
        var bus = new PciBus();
        var display = new BochsDisplay();
        bus.Attach(0, 0, new HostBridge());
        bus.Attach(1, 0, new IsaBridge());
        bus.Attach(2, 0, display);
        var ports = new PortSpace();
        bus.Register(ports);
        return (bus, ports, display);
    }

    private static uint ConfigRead(PortSpace ports, int device, int function, int reg, int size = 4)
    {
        ports.Out(0xCF8, 4, 0x8000_0000u | (uint)(device << 11) | (uint)(function << 8) | (uint)(reg & 0xFC));
        return ports.In((ushort)(0xCFC + (reg & 3)), size);
    }

    private static void ConfigWrite(PortSpace ports, int device, int reg, uint value)
    {
        ports.Out(0xCF8, 4, 0x8000_0000u | (uint)(device << 11) | (uint)(reg & 0xFC));
        ports.Out(0xCFC, 4, value);
    }

    [Fact]
    public void EnumerationFindsBridgesAndTheDisplay()
    {
        (PciBus _, PortSpace ports, BochsDisplay _) = Create();
        var found = new Dictionary<int, uint>();
        for (int device = 0; device < 32; device++)
        {
            uint id = ConfigRead(ports, device, 0, 0);
            if (id != 0xFFFF_FFFF)
            {
                found[device] = id;
            }
        }

        Assert.Equal(0x1237_8086u, found[0]);
        Assert.Equal(0x7000_8086u, found[1]);
        Assert.Equal(0x1111_1234u, found[2]);
        Assert.Equal(3, found.Count);
        Assert.Equal(0x0300u, ConfigRead(ports, 2, 0, 0x0A, 2)); // class: VGA-compatible display
        Assert.Equal(0x80u, ConfigRead(ports, 1, 0, 0x0E, 1)); // ISA bridge: multi-function header
        Assert.Equal(0x1234u, ConfigRead(ports, 2, 0, 0x00, 2));
        Assert.Equal(0x11u, ConfigRead(ports, 2, 0, 0x03, 1));
    }

    [Fact]
    public void BarSizingByWritingAllOnes()
    {
        (PciBus _, PortSpace ports, BochsDisplay display) = Create();
        uint original = ConfigRead(ports, 2, 0, 0x10);
        Assert.Equal(BochsDisplay.DefaultFramebufferAddress | 0x8, original); // prefetchable memory
        ConfigWrite(ports, 2, 0x10, 0xFFFF_FFFF);
        uint mask = ConfigRead(ports, 2, 0, 0x10);
        Assert.Equal(16u * 1024 * 1024, ~(mask & ~0xFu) + 1);
        ConfigWrite(ports, 2, 0x10, original);
        Assert.Equal(BochsDisplay.DefaultFramebufferAddress, display.BarAddress(0));
    }

    [Fact]
    public void DisabledAddressOrOtherBusReadsAllOnes()
    {
        (PciBus _, PortSpace ports, BochsDisplay _) = Create();
        ports.Out(0xCF8, 4, 0x0000_0000);
        Assert.Equal(0xFFFF_FFFFu, ports.In(0xCFC, 4));
        ports.Out(0xCF8, 4, 0x8001_0000);
        Assert.Equal(0xFFFF_FFFFu, ports.In(0xCFC, 4));
    }

    [Fact]
    public void MemoryWindowReachesTheFramebufferAtItsBar()
    {
        (PciBus bus, PortSpace ports, BochsDisplay display) = Create();
        display.SetCommand(0x3);
        var window = new PciMemoryWindow(bus);
        window.Write(BochsDisplay.DefaultFramebufferAddress - PciMemoryWindow.Start + 8, 4, 0x00112233);
        Assert.Equal(0x33, display.VideoMemory[8]);
        ConfigWrite(ports, 2, 0x10, 0xE000_0000);
        Assert.Equal(0x00112233UL, window.Read(8, 4));
    }
}
