using System.Diagnostics;

namespace Devices.Timing;

/// <summary>
/// The one time source of the machine. Devices read <see cref="NowNs"/> and arm <see cref="ClockTimer"/>s;
/// the machine asks how many instructions it may run before the next event, fires due events between
/// CPU slices, and sleeps (or, in deterministic mode, skips time) while the guest halts.
/// In <see cref="ClockMode.Deterministic"/> mode, time is instructions retired times
/// <see cref="NanosecondsPerInstruction"/> plus the time skipped while halted, so a run is a pure
/// function of its input. The TSC runs at <see cref="TscHz"/> (1 GHz: one tick per virtual nanosecond).
/// </summary>
public sealed class VirtualClock
{
    /// <summary>Virtual nanoseconds per retired instruction in deterministic mode (a 1 GHz, IPC 1 machine).</summary>
    public const long NanosecondsPerInstruction = 1;

    /// <summary>The fewest instructions a realtime slice runs before the clock is looked at again.</summary>
    public const long RealtimeMinimumSlice = 1000;

    /// <summary>
    /// Realtime waits up to this long are spun on the host CPU rather than slept: a sleeping thread wakes no
    /// sooner than Linux's timer slack (50 us) and, on a loaded host, only when the scheduler next picks it
    /// (measured 0.2-0.8 ms per wait for a disk's 10 us completion at load average 15-21 on 2 cores), so
    /// sleeping made each disk request cost a scheduler quantum. Spinning this long costs less than a sleep oversleeps.
    /// </summary>
    public const long RealtimeSpinWaitNs = 100_000;

    /// <summary>TSC frequency: one tick per nanosecond.</summary>
    public const long TscHz = 1_000_000_000;

    private readonly List<ClockTimer> timers = [];
    private readonly Stopwatch wall = new();
    private readonly Func<long> instructionsRetired;
    private readonly AutoResetEvent wake = new(false);
    private long skippedNs;
    private long sleptTicks;
    private long tscOffset;
    private double realtimeNsPerInstruction = 1;
    private long pooledInstructions;
    private long pooledNs;

    /// <param name="mode">Deterministic or realtime.</param>
    /// <param name="instructionsRetired">The CPU's instruction counter (deterministic time is derived from it).</param>
    public VirtualClock(ClockMode mode, Func<long> instructionsRetired)
    {
        Mode = mode;
        this.instructionsRetired = instructionsRetired;
        wall.Start();
    }

    public ClockMode Mode { get; }

    /// <summary>Raised when a timer is armed for a time earlier than any other pending event (the machine shortens the CPU slice).</summary>
    public event Action? EarlierEventScheduled;

    /// <summary>The current virtual time in nanoseconds since power-on.</summary>
    public long NowNs => Mode == ClockMode.Deterministic
        ? (instructionsRetired() * NanosecondsPerInstruction) + skippedNs
        : (long)(wall.ElapsedTicks * (1_000_000_000.0 / Stopwatch.Frequency));

    /// <summary>The time-stamp counter (RDTSC), including what the guest wrote to IA32_TIME_STAMP_COUNTER.</summary>
    public ulong ReadTsc() => (ulong)(NowNs + tscOffset);

    /// <summary>WRMSR IA32_TIME_STAMP_COUNTER: the TSC continues from <paramref name="value"/>.</summary>
    public void WriteTsc(ulong value) => tscOffset = (long)value - NowNs;

    /// <summary>
    /// Time the guest spent halted: skipped in deterministic mode, slept by the host thread in realtime mode.
    /// </summary>
    public long HaltedNs => Mode == ClockMode.Deterministic ? skippedNs : (long)(sleptTicks * (1e9 / Stopwatch.Frequency));

    /// <summary>Creates a timer owned by a device; it stays disarmed until <see cref="ClockTimer.Arm"/>.</summary>
    public ClockTimer CreateTimer(string name, Action<long> callback)
    {
        var t = new ClockTimer(this, name, callback);
        timers.Add(t);
        return t;
    }

    /// <summary>The earliest armed deadline, or null when nothing is pending.</summary>
    public long? NextDeadline
    {
        get
        {
            long? best = null;
            foreach (ClockTimer t in timers)
            {
                if (t.Deadline is long d && (best is null || d < best))
                {
                    best = d;
                }
            }

            return best;
        }
    }

    /// <summary>
    /// How many instructions may run before the next event is due (at least 1), or
    /// <paramref name="cap"/> when nothing is pending. In realtime mode this is only an estimate.
    /// </summary>
    public long InstructionsUntilNextEvent(long cap)
    {
        long? next = NextDeadline;
        if (next is null)
        {
            return cap;
        }

        long ns = next.Value - NowNs;
        if (Mode == ClockMode.Deterministic)
        {
            return ns <= 0 ? 1 : Math.Clamp((ns + NanosecondsPerInstruction - 1) / NanosecondsPerInstruction, 1, cap);
        }

        // Realtime: guess from the speed measured so far (NoteRealtimeRun), and re-check after the slice;
        // running far past the deadline would merge periodic timer interrupts that the guest counts. A slice
        // is never shorter than RealtimeMinimumSlice: slices of a few instructions cost more in the run
        // loop than they run, which the speed estimate then learns, shortening them further (a device's
        // 10 us completion drove the guest to 2 MIPS). The overshoot is a few microseconds of wall time.
        long n = ns <= 0 ? 1 : (long)(ns / realtimeNsPerInstruction) + 1;
        return Math.Clamp(n, Math.Min(RealtimeMinimumSlice, cap), cap);
    }

    /// <summary>
    /// Realtime mode: the CPU ran <paramref name="instructions"/> in <paramref name="wallNs"/> host
    /// nanoseconds; keeps a moving estimate of the emulator's speed for <see cref="InstructionsUntilNextEvent"/>.
    /// </summary>
    public void NoteRealtimeRun(long instructions, long wallNs)
    {
        if (Mode != ClockMode.Realtime)
        {
            return;
        }

        // Short runs are noisy: pool them until there is a sample worth taking.
        pooledInstructions += instructions;
        pooledNs += wallNs;
        if (pooledInstructions < 10_000)
        {
            return;
        }

        double sample = Math.Clamp((double)pooledNs / pooledInstructions, 0.05, 10_000);
        realtimeNsPerInstruction += (sample - realtimeNsPerInstruction) / 4;
        pooledInstructions = 0;
        pooledNs = 0;
    }

    /// <summary>Fires every timer whose deadline has passed, earliest first. Returns how many fired.</summary>
    public int RunDue()
    {
        int fired = 0;
        while (true)
        {
            long now = NowNs;
            ClockTimer? due = null;
            foreach (ClockTimer t in timers)
            {
                if (t.Deadline is long d && d <= now && (due is null || d < due.Deadline))
                {
                    due = t;
                }
            }

            if (due is null)
            {
                return fired;
            }

            due.Fire();
            fired++;
            if (fired > 10_000)
            {
                // A device re-arming into the past forever must not hang the emulator.
                return fired;
            }
        }
    }

    /// <summary>
    /// The guest halted: waits until the next event is due. Deterministic mode skips virtual time to it at
    /// once; realtime mode sleeps the host thread until then or until <see cref="Wake"/> (host input).
    /// Returns false when no event is pending and nothing can wake the machine (the guest halted for good).
    /// </summary>
    /// <param name="hostInputPossible">True when host input (stdin, keyboard) may still arrive and wake the guest.</param>
    /// <param name="maxWait">The longest the host may sleep (so run conditions such as a timeout are checked).</param>
    public bool WaitForNextEvent(bool hostInputPossible, TimeSpan maxWait)
    {
        long? next = NextDeadline;
        if (Mode == ClockMode.Deterministic)
        {
            if (next is null)
            {
                if (!hostInputPossible)
                {
                    return false;
                }

                wake.WaitOne(maxWait);
                return true;
            }

            long now = NowNs;
            if (next.Value > now)
            {
                skippedNs += next.Value - now;
            }

            return true;
        }

        if (next is null && !hostInputPossible)
        {
            return false;
        }

        TimeSpan wait = maxWait;
        if (next is not null)
        {
            long ns = next.Value - NowNs;
            if (ns <= 0)
            {
                return true;
            }

            if (ns <= RealtimeSpinWaitNs)
            {
                SpinUntil(next.Value);
                return true;
            }

            wait = TimeSpan.FromTicks(Math.Min(maxWait.Ticks, (ns + 99) / 100));
        }

        // WaitOne counts whole milliseconds (host input ends it early): wait those, then sleep the rest
        // precisely, so a short wait (a disk's 10 us completion) is not stretched to a millisecond.
        long start = Stopwatch.GetTimestamp();
        long until = start + (long)(wait.TotalSeconds * Stopwatch.Frequency);
        int milliseconds = (int)wait.TotalMilliseconds;
        if (milliseconds == 0 || !wake.WaitOne(milliseconds))
        {
            PreciseSleep.Sleep((long)((until - Stopwatch.GetTimestamp()) * (1e9 / Stopwatch.Frequency)));
        }

        sleptTicks += Stopwatch.GetTimestamp() - start;
        return true;
    }

    /// <summary>Realtime: busy-waits until the virtual (wall) time reaches <paramref name="deadlineNs"/>, counted as halted time.</summary>
    private void SpinUntil(long deadlineNs)
    {
        long start = Stopwatch.GetTimestamp();
        while (NowNs < deadlineNs)
        {
            Thread.SpinWait(20);
        }

        sleptTicks += Stopwatch.GetTimestamp() - start;
    }

    /// <summary>Wakes a halted machine (thread-safe): host input arrived.</summary>
    public void Wake() => wake.Set();

    internal void OnArmed(long deadline)
    {
        foreach (ClockTimer t in timers)
        {
            if (t.Deadline is long d && d < deadline)
            {
                return;
            }
        }

        EarlierEventScheduled?.Invoke();
    }
}
