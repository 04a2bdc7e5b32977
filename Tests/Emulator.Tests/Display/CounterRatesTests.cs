using Emulator.Display.Stats;

namespace Emulator.Tests.Display;

public class CounterRatesTests
{
    [Fact]
    public void RatesAreDifferencesOverHostTime()
    {
        var earlier = new CounterSnapshot(TimeSpan.FromSeconds(10), 1_000_000, 500_000, 100, 150, 40);
        var later = new CounterSnapshot(TimeSpan.FromSeconds(12), 251_000_000, 200_500_000, 2_100, 3_150, 440);
        CounterRates rates = CounterRates.Between(earlier, later);
        Assert.Equal(125.0, rates.Mips, 9);
        Assert.Equal(0.8, rates.JitShare, 9);
        Assert.Equal(1000.0, rates.ContextSwitchesPerSecond, 9);
        Assert.Equal(1500.0, rates.Cr3WritesPerSecond, 9);
        Assert.Equal(200.0, rates.TlbFlushesPerSecond, 9);
    }

    [Fact]
    public void NoTimeOrNoInstructionsGiveZeroRatherThanNaN()
    {
        var s = new CounterSnapshot(TimeSpan.FromSeconds(1), 5, 5, 5, 5, 5);
        Assert.Equal(default, CounterRates.Between(s, s));
        CounterRates idle = CounterRates.Between(s, s with { HostTime = TimeSpan.FromSeconds(2) });
        Assert.Equal(0, idle.Mips);
        Assert.Equal(0, idle.JitShare);
    }

    [Fact]
    public void CountersThatWentBackwardsAfterAResetCountAsZero()
    {
        var before = new CounterSnapshot(TimeSpan.FromSeconds(1), 1_000_000, 0, 50, 50, 50);
        var afterReset = new CounterSnapshot(TimeSpan.FromSeconds(2), 10, 0, 1, 1, 1);
        CounterRates rates = CounterRates.Between(before, afterReset);
        Assert.Equal(0, rates.Mips);
        Assert.Equal(0, rates.ContextSwitchesPerSecond);
    }

    [Fact]
    public void DescriptionsUseCompactUnits()
    {
        var rates = new CounterRates(123.44, 0.871, 1234, 999, 4_500_000);
        Assert.Equal("123.4 MIPS, JIT 87%, 1.2k ctx/s, 999 CR3/s, 4.5M TLB flush/s", rates.Describe());
        Assert.Equal(5, rates.DescribeLines().Length);
        Assert.Contains("123.4 MIPS", rates.DescribeLines()[0]);
    }
}
