namespace Emulator.Display;

/// <summary>Whether a desktop session is there to open a window in, checked before loading GLFW.</summary>
public static class DisplayAvailability
{
    /// <summary>Null when DISPLAY or WAYLAND_DISPLAY is set; otherwise why no window can open.</summary>
    public static string? MissingReason(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (!string.IsNullOrEmpty(environment("DISPLAY")) || !string.IsNullOrEmpty(environment("WAYLAND_DISPLAY")))
        {
            return null;
        }

        return "no display: neither DISPLAY nor WAYLAND_DISPLAY is set";
    }
}
