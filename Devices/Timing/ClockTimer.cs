namespace Devices.Timing;

/// <summary>
/// One device's pending event on the <see cref="VirtualClock"/>: armed with an absolute deadline in
/// virtual nanoseconds, it calls its callback once the clock reaches that time.
/// </summary>
public sealed class ClockTimer
{
    private readonly VirtualClock clock;
    private readonly Action<long> callback;

    internal ClockTimer(VirtualClock clock, string name, Action<long> callback)
    {
        this.clock = clock;
        Name = name;
        this.callback = callback;
    }

    /// <summary>Who owns the timer (for diagnostics).</summary>
    public string Name { get; }

    /// <summary>The virtual time at which the callback runs, or null when disarmed.</summary>
    public long? Deadline { get; private set; }

    /// <summary>Arms (or re-arms) the timer for the absolute virtual time <paramref name="deadlineNs"/>.</summary>
    public void Arm(long deadlineNs)
    {
        Deadline = deadlineNs;
        clock.OnArmed(deadlineNs);
    }

    /// <summary>Cancels the pending event, if any.</summary>
    public void Disarm() => Deadline = null;

    /// <summary>Runs the callback with the deadline it was due at (the callback may re-arm).</summary>
    internal void Fire()
    {
        long due = Deadline!.Value;
        Deadline = null;
        callback(due);
    }
}
