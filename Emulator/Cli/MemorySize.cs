using System.Globalization;

namespace Emulator.Cli;

/// <summary>Parses sizes as QEMU's -m reads them: 256M, 1G, 512K, 2GiB, 4096B; a plain number is MiB.</summary>
public static class MemorySize
{
    public static bool TryParse(string text, out ulong bytes, out string error)
    {
        bytes = 0;
        string s = text.Trim();
        ulong unit = 1UL << 20;
        string upper = s.ToUpperInvariant();
        foreach (string suffix in new[] { "IB", "B" })
        {
            if (upper.Length > 1 && upper.EndsWith(suffix, StringComparison.Ordinal) && char.IsLetter(upper[^(suffix.Length + 1)]))
            {
                upper = upper[..^suffix.Length];
                break;
            }
        }

        if (upper.Length > 0)
        {
            switch (upper[^1])
            {
                case 'B': unit = 1; break;
                case 'K': unit = 1UL << 10; break;
                case 'M': unit = 1UL << 20; break;
                case 'G': unit = 1UL << 30; break;
                case 'T': unit = 1UL << 40; break;
            }

            if (upper[^1] is 'B' or 'K' or 'M' or 'G' or 'T')
            {
                upper = upper[..^1];
            }
        }

        if (!ulong.TryParse(upper, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) || n == 0)
        {
            error = $"malformed memory size '{text}' (use e.g. 256 or 256M (MiB), 1G, 512K, 4096B)";
            return false;
        }

        if (n > ulong.MaxValue / unit)
        {
            error = $"memory size '{text}' is too large";
            return false;
        }

        bytes = n * unit;
        error = string.Empty;
        return true;
    }
}
