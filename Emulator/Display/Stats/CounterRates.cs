using System.Globalization;

namespace Emulator.Display.Stats;

/// <summary>Rates between two <see cref="CounterSnapshot"/>s, as the overlay and the title bar show them.</summary>
/// <param name="Mips">Guest instructions retired per host second, in millions.</param>
/// <param name="JitShare">Share of the retired instructions that ran in JIT code, 0 to 1.</param>
/// <param name="ContextSwitchesPerSecond">Address-space switches per host second.</param>
/// <param name="Cr3WritesPerSecond">CR3 writes per host second.</param>
/// <param name="TlbFlushesPerSecond">TLB flushes per host second.</param>
public readonly record struct CounterRates(double Mips, double JitShare, double ContextSwitchesPerSecond, double Cr3WritesPerSecond, double TlbFlushesPerSecond)
{
    /// <summary>
    /// The rates from <paramref name="earlier"/> to <paramref name="later"/>. No time passed, or counters that
    /// went backwards (the machine was reset), give zero rates rather than nonsense.
    /// </summary>
    public static CounterRates Between(CounterSnapshot earlier, CounterSnapshot later)
    {
        double seconds = (later.HostTime - earlier.HostTime).TotalSeconds;
        if (seconds <= 0)
        {
            return default;
        }

        long instructions = Delta(earlier.Instructions, later.Instructions);
        long jit = Delta(earlier.JitInstructions, later.JitInstructions);
        return new CounterRates(
            instructions / seconds / 1e6,
            instructions == 0 ? 0 : Math.Clamp((double)jit / instructions, 0, 1),
            Delta(earlier.ContextSwitches, later.ContextSwitches) / seconds,
            Delta(earlier.Cr3Writes, later.Cr3Writes) / seconds,
            Delta(earlier.TlbFlushes, later.TlbFlushes) / seconds);
    }

    /// <summary>One line for the title bar, e.g. "123.4 MIPS, JIT 87%, 1.2k ctx/s, 1.3k CR3/s, 250 TLB flush/s".</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Mips:0.0} MIPS, JIT {JitShare * 100:0}%, {Compact(ContextSwitchesPerSecond)} ctx/s, {Compact(Cr3WritesPerSecond)} CR3/s, {Compact(TlbFlushesPerSecond)} TLB flush/s");

    /// <summary>The overlay's lines.</summary>
    public string[] DescribeLines() =>
    [
        string.Create(CultureInfo.InvariantCulture, $"guest   {Mips,8:0.0} MIPS"),
        string.Create(CultureInfo.InvariantCulture, $"JIT     {JitShare * 100,8:0.0} %"),
        $"ctx sw  {Compact(ContextSwitchesPerSecond),8} /s",
        $"CR3 wr  {Compact(Cr3WritesPerSecond),8} /s",
        $"TLB fl  {Compact(TlbFlushesPerSecond),8} /s",
    ];

    /// <summary>A count per second in at most five characters: 950, 12.3k, 4.5M.</summary>
    public static string Compact(double value) => value switch
    {
        < 1e3 => value.ToString("0", CultureInfo.InvariantCulture),
        < 1e6 => (value / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + "k",
        _ => (value / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M",
    };

    private static long Delta(long earlier, long later) => later >= earlier ? later - earlier : 0;
}
