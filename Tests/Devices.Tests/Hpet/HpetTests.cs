using Devices.Tests.Support;

namespace Devices.Tests.Hpet;

public sealed class HpetTests
{
    private const ulong Config = 0x010;
    private const ulong Status = 0x020;
    private const ulong Counter = 0x0F0;

    private readonly FakeCpuClock cpu = new();
    private readonly RecordingLine[] ioApic = Enumerable.Range(0, 24).Select(_ => new RecordingLine()).ToArray();
    private readonly RecordingLine irq0 = new();
    private readonly RecordingLine irq8 = new();
    private readonly Devices.Hpet.Hpet hpet;

    public HpetTests() => hpet = new Devices.Hpet.Hpet(cpu.Clock, pin => ioApic[pin], irq0, irq8);

    private static ulong TimerConfig(int n) => 0x100 + (0x20 * (ulong)n);

    private static ulong Comparator(int n) => 0x108 + (0x20 * (ulong)n);

    [Fact]
    public void CapabilitiesAreQemusThreeTimersAt100MHz()
    {
        ulong caps = hpet.Read(0, 8);
        Assert.Equal(10_000_000UL, caps >> 32); // femtoseconds per tick: 10 ns
        Assert.Equal(2UL, (caps >> 8) & 0x1F); // three comparators
        Assert.NotEqual(0UL, caps & (1 << 13)); // 64-bit counter
        Assert.NotEqual(0UL, caps & (1 << 15)); // legacy replacement
        Assert.Equal(0x8086UL, (caps >> 16) & 0xFFFF);
        Assert.Equal(caps >> 32, hpet.Read(4, 4)); // a dword read of the upper half
        for (int n = 0; n < 3; n++)
        {
            ulong t = hpet.Read(TimerConfig(n), 8);
            Assert.NotEqual(0UL, t & (1 << 4)); // periodic capable
            Assert.Equal(Devices.Hpet.Hpet.RouteCapability, (uint)(t >> 32));
        }
    }

    [Fact]
    public void TheMainCounterRunsOnlyWhileEnabledAndIsWritableWhileHalted()
    {
        cpu.Advance(1_000);
        Assert.Equal(0UL, hpet.Read(Counter, 8));
        hpet.Write(Counter, 8, 500);
        hpet.Write(Config, 8, 1);
        cpu.Advance(1_000); // 1 us = 100 ticks
        Assert.Equal(600UL, hpet.Read(Counter, 8));
        hpet.Write(Counter, 8, 0); // ignored while running
        Assert.Equal(600UL, hpet.Read(Counter, 8));
        hpet.Write(Config, 8, 0);
        cpu.Advance(1_000);
        Assert.Equal(600UL, hpet.Read(Counter, 8));
    }

    [Fact]
    public void AOneShotEdgeTimerFiresAtItsComparatorOnItsRoute()
    {
        hpet.Write(TimerConfig(2), 8, (1 << 2) | (21 << 9)); // enabled, edge, IOAPIC input 21
        hpet.Write(Comparator(2), 8, 1_000); // 10 us
        hpet.Write(Config, 8, 1);
        cpu.Advance(9_990);
        Assert.Equal(0, ioApic[21].RisingEdges);
        cpu.Advance(10);
        Assert.Equal(1, ioApic[21].RisingEdges);
        Assert.False(ioApic[21].Level);
        cpu.Advance(1_000_000);
        Assert.Equal(1, ioApic[21].RisingEdges); // 64-bit: the next match is after the counter wraps
    }

    [Fact]
    public void PeriodicModeSetsTheComparatorWithValueSetAndThePeriodAfter()
    {
        // Linux's order: periodic + value-set, the first deadline, then the period.
        hpet.Write(TimerConfig(0), 8, (1 << 2) | (1 << 3) | (1 << 6) | (2 << 9));
        hpet.Write(Comparator(0), 8, 100_000); // first match at 1 ms
        hpet.Write(Comparator(0), 8, 100_000); // then every 1 ms
        hpet.Write(Config, 8, 1);
        cpu.Advance(10_500_000);
        Assert.Equal(10, ioApic[2].RisingEdges);
        Assert.Equal(1_100_000UL, hpet.Read(Comparator(0), 8));
    }

    [Fact]
    public void LegacyReplacementDrivesIrq0AndIrq8()
    {
        hpet.Write(TimerConfig(0), 8, 1 << 2);
        hpet.Write(Comparator(0), 8, 100);
        hpet.Write(TimerConfig(1), 8, 1 << 2);
        hpet.Write(Comparator(1), 8, 200);
        hpet.Write(Config, 8, 3); // enable + legacy replacement
        Assert.True(hpet.LegacyRouting);
        cpu.Advance(3_000);
        Assert.Equal(1, irq0.RisingEdges);
        Assert.Equal(1, irq8.RisingEdges);
        Assert.Equal(0, ioApic[0].RisingEdges);
    }

    [Fact]
    public void ALevelTimerHoldsItsLineUntilSoftwareClearsTheStatusBit()
    {
        hpet.Write(TimerConfig(1), 8, (1 << 1) | (1 << 2) | (8 << 9));
        hpet.Write(Comparator(1), 8, 10);
        hpet.Write(Config, 8, 1);
        cpu.Advance(1_000);
        Assert.True(ioApic[8].Level);
        Assert.Equal(2UL, hpet.Read(Status, 8));
        hpet.Write(Status, 8, 1); // another timer's bit: no effect
        Assert.True(ioApic[8].Level);
        hpet.Write(Status, 8, 2);
        Assert.False(ioApic[8].Level);
        Assert.Equal(0UL, hpet.Read(Status, 8));
    }

    [Fact]
    public void ThirtyTwoBitModeWrapsTheComparator()
    {
        hpet.Write(TimerConfig(2), 8, (1 << 2) | (1 << 8) | (20 << 9));
        hpet.Write(Comparator(2), 8, 0x1_0000_0010); // the upper half is dropped in 32-bit mode
        Assert.Equal(0x10UL, hpet.Read(Comparator(2), 8));
        hpet.Write(Config, 8, 1);
        cpu.Advance(1_000);
        Assert.Equal(1, ioApic[20].RisingEdges);
    }
}
