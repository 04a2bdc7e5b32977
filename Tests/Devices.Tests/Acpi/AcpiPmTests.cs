using Devices.Acpi;
using Devices.Timing;
using Mmu.Io;

namespace Devices.Tests.Acpi;

public sealed class AcpiPmTests
{
    private long instructions;

    private (AcpiPm Pm, PortSpace Ports) Make()
    {
        var clock = new VirtualClock(ClockMode.Deterministic, () => instructions);
        var pm = new AcpiPm(clock);
        var ports = new PortSpace();
        pm.Register(ports);
        return (pm, ports);
    }

    [Fact]
    public void TheTimerCountsAtTheAcpiFrequencyOfVirtualTime()
    {
        (_, PortSpace ports) = Make();
        Assert.Equal(0u, ports.In(AcpiPm.TimerBlock, 4));
        instructions = 1_000_000_000; // one virtual second
        Assert.Equal((uint)AcpiPm.TimerHz, ports.In(AcpiPm.TimerBlock, 4));
        Assert.Equal((uint)AcpiPm.TimerHz & 0xFF, ports.In(AcpiPm.TimerBlock, 1));
        ports.Out(AcpiPm.TimerBlock, 4, 0); // read-only
        Assert.Equal((uint)AcpiPm.TimerHz, ports.In(AcpiPm.TimerBlock, 4));
    }

    [Fact]
    public void SciEnableReadsSetAndOnlySoftOffPowersOff()
    {
        (AcpiPm pm, PortSpace ports) = Make();
        int offs = 0;
        pm.PoweredOff += () => offs++;
        Assert.Equal(1u, ports.In(AcpiPm.ControlBlock, 2) & 1); // always in ACPI mode
        ports.Out(AcpiPm.ControlBlock, 2, (1 << 10) | (1 << 13)); // S1 sleep type: not soft-off
        Assert.Equal(0, offs);
        Assert.Equal(0u, ports.In(AcpiPm.ControlBlock, 2) & (1 << 13)); // SLP_EN is write-only
        ports.Out(AcpiPm.ControlBlock, 2, ((uint)AcpiPm.SoftOffSleepType << 10) | (1 << 13));
        Assert.Equal(1, offs);
    }

    [Fact]
    public void EventEnableIsWrittenAndStatusIsWriteOneToClear()
    {
        (_, PortSpace ports) = Make();
        ports.Out(AcpiPm.EventBlock + 2, 2, 0x0121);
        Assert.Equal(0x0121u, ports.In(AcpiPm.EventBlock + 2, 2));
        ports.Out(AcpiPm.EventBlock, 2, 0xFFFF);
        Assert.Equal(0u, ports.In(AcpiPm.EventBlock, 2));
        Assert.Equal(0x0121u, ports.In(AcpiPm.EventBlock + 2, 2));
    }
}
