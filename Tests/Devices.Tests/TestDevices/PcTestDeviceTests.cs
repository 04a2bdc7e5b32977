using Devices.TestDevices;
using Devices.Tests.Support;
using Mmu.Io;
using Mmu.Physical;

namespace Devices.Tests.TestDevices;

/// <summary>pc-testdev's ports and memory (the guest-level test is Guest/tests/testdev.c, run on QEMU and emu).</summary>
public class PcTestDeviceTests
{
    [Fact]
    public void ScratchLanesAreSharedByBothPortRanges()
    {
        var ports = new PortSpace();
        using var ram = new PhysicalMemory(1 << 20);
        new PcTestDevice(_ => new RecordingLine()).Register(ports, new PhysicalBus(ram));

        ports.Out(PcTestDevice.ScratchPort, 4, 0x1122_3344);
        ports.Out(PcTestDevice.ByteScratchPort + 3, 1, 0xAB);

        Assert.Equal(0xAB22_3344u, ports.In(PcTestDevice.ScratchPort, 4));
        Assert.Equal(0xAB22u, ports.In(PcTestDevice.ByteScratchPort + 2, 2));
    }

    [Fact]
    public void IrqLinePortsDriveIsaIrqsAndIgnoreTheLinesPastFifteen()
    {
        var lines = new Dictionary<int, RecordingLine>();
        var ports = new PortSpace();
        using var ram = new PhysicalMemory(1 << 20);
        new PcTestDevice(irq => lines.TryGetValue(irq, out RecordingLine? l) ? l : lines[irq] = new RecordingLine()).Register(ports, new PhysicalBus(ram));

        ports.Out(PcTestDevice.IrqLinePort + 9, 1, 7);
        ports.Out(PcTestDevice.IrqLinePort + 20, 1, 1);
        ports.Out(PcTestDevice.IrqLinePort + 3, 2, 1); // byte accesses only

        Assert.True(lines[9].Level);
        Assert.False(lines.ContainsKey(20));
        Assert.False(lines.ContainsKey(3));
        ports.Out(PcTestDevice.IrqLinePort + 9, 1, 0);
        Assert.False(lines[9].Level);
    }

    [Fact]
    public void TestMemoryReadsBackAtItsPhysicalAddress()
    {
        using var ram = new PhysicalMemory(1 << 20);
        var bus = new PhysicalBus(ram);
        new PcTestDevice(_ => new RecordingLine()).Register(new PortSpace(), bus);

        bus.Write(PcTestDevice.MemoryBase + 0x10, 8, 0x0102_0304_0506_0708);
        bus.Write(PcTestDevice.MemoryBase + 0x11, 1, 0xFF);

        Assert.Equal(0x0102_0304_0506_FF08UL, bus.Read(PcTestDevice.MemoryBase + 0x10, 8));
    }
}
