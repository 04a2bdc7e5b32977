using System.Globalization;

namespace Emulator.Cli;

/// <summary>Parses `--timeout SECONDS`: a finite positive number of seconds, at most <see cref="MaximumSeconds"/>.</summary>
public static class TimeoutSeconds
{
    /// <summary>About 31 years: far past any run, and well inside TimeSpan and Stopwatch arithmetic.</summary>
    public const double MaximumSeconds = 1e9;

    public static bool TryParse(string text, out TimeSpan timeout, out string error)
    {
        timeout = TimeSpan.Zero;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || !double.IsFinite(seconds))
        {
            error = $"--timeout '{text}' is not a number of seconds (e.g. 30 or 2.5)";
            return false;
        }

        if (seconds <= 0 || seconds > MaximumSeconds)
        {
            error = $"--timeout {text} is out of range (more than 0, at most {MaximumSeconds:0} seconds)";
            return false;
        }

        timeout = TimeSpan.FromSeconds(seconds);
        error = string.Empty;
        return true;
    }
}
