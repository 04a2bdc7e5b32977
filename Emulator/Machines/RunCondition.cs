using System.Text.RegularExpressions;

namespace Emulator.Machines;

/// <summary>
/// When <see cref="Machine.RunUntil"/> returns, besides the guest stopping by itself (debug-exit, halting
/// for good, a triple fault or a reset): a serial line matching, a number of instructions, or a timeout in
/// virtual or wall-clock time. Unset parts do not apply.
/// </summary>
public sealed record RunCondition
{
    /// <summary>Runs until the guest stops by itself.</summary>
    public static readonly RunCondition GuestStops = new();

    /// <summary>Stop when a COM1 line matches.</summary>
    public Regex? SerialLine { get; init; }

    /// <summary>Stop once this many instructions have retired in all.</summary>
    public long? MaxInstructions { get; init; }

    /// <summary>Stop when the virtual clock passes this.</summary>
    public TimeSpan? VirtualTimeout { get; init; }

    /// <summary>Stop after this much host time.</summary>
    public TimeSpan? WallTimeout { get; init; }

    public static RunCondition SerialLineMatches(string pattern) => new() { SerialLine = new Regex(pattern, RegexOptions.CultureInvariant) };

    public static RunCondition Instructions(long count) => new() { MaxInstructions = count };

    public static RunCondition Timeout(TimeSpan wall) => new() { WallTimeout = wall };
}
