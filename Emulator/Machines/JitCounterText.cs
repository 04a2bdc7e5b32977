using System.Globalization;
using Cpu.Translation;

namespace Emulator.Machines;

/// <summary>The JIT's counters as the text of their <c>--stats</c> lines (<see cref="MachineCounters"/>).</summary>
internal static class JitCounterText
{
    public static string Exits(JitCounters c)
    {
        IEnumerable<string> reasons = Enum.GetValues<BlockExit>().Where(r => c.Exits(r) != 0)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.ToString().ToLowerInvariant()}={c.Exits(r)}"));
        string lookups = string.Create(CultureInfo.InvariantCulture, $"link={c.LinkHits} cachehit={c.TargetCacheHits} cachemiss={c.TargetCacheMisses}");
        return string.Join(' ', reasons.Append("|").Append(lookups));
    }

    public static string PrefixEnds(IReadOnlyList<KeyValuePair<Iced.Intel.Mnemonic, long>> ends) =>
        ends.Count == 0 ? "-" : string.Join(' ', ends.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key.ToString().ToLowerInvariant()}={e.Value}")));
}
