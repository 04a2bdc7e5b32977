namespace Devices.Timing;

/// <summary>Where the machine's time comes from.</summary>
public enum ClockMode
{
    /// <summary>Time advances with instructions retired: the same input gives the same run.</summary>
    Deterministic,

    /// <summary>Time is the host's wall clock.</summary>
    Realtime,
}
