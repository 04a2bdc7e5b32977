namespace Devices.Pit;

/// <summary>
/// One counter of the 8254: its mode, reload value, access mode and latches. The count is not stepped;
/// it is computed from the virtual time elapsed since the count was loaded, so reads are exact and free.
/// </summary>
public sealed class PitChannel
{
    /// <summary>The 8254's input clock (Hz).</summary>
    public const long InputHz = 1_193_182;

    private readonly Func<long> now;
    private long loadNs;
    private long frozenTicks = -1;
    private bool writeHighNext;
    private bool readHighNext;
    private byte writeLow;
    private int? latchedCount;
    private bool latchedCountHighNext;
    private byte? latchedStatus;
    private bool gate;

    internal PitChannel(int index, Func<long> now, bool gate)
    {
        Index = index;
        this.now = now;
        this.gate = gate;
    }

    public int Index { get; }

    /// <summary>Operating mode 0-5 (6 and 7 read back as 2 and 3).</summary>
    public int Mode { get; private set; }

    /// <summary>1 lobyte, 2 hibyte, 3 lobyte then hibyte.</summary>
    public int AccessMode { get; private set; } = 3;

    public bool Bcd { get; private set; }

    /// <summary>The reload value as written (0 means 65536).</summary>
    public int Reload { get; private set; }

    /// <summary>True once a count has been written and the counter runs.</summary>
    public bool Counting { get; private set; }

    /// <summary>Raised when the count is (re)loaded or the mode changes, so the owner can reschedule.</summary>
    internal event Action? Reprogrammed;

    private long Period => Reload == 0 ? 65536 : Reload;

    public static long NsToTicks(long ns) => (long)((Int128)ns * InputHz / 1_000_000_000);

    /// <summary>The first virtual nanosecond at which <paramref name="ticks"/> input clocks have elapsed.</summary>
    public static long TicksToNs(long ticks) => (long)((((Int128)ticks * 1_000_000_000) + InputHz - 1) / InputHz);

    /// <summary>Input clocks counted since the count was loaded.</summary>
    public long ElapsedTicks => frozenTicks >= 0 ? frozenTicks : NsToTicks(now() - loadNs);

    /// <summary>The gate input (channel 2: port 0x61 bit 0; channels 0 and 1: always high).</summary>
    public bool Gate
    {
        get => gate;
        set
        {
            if (value == gate)
            {
                return;
            }

            if (!value)
            {
                frozenTicks = ElapsedTicks;
            }
            else if (Mode is 1 or 2 or 3 or 5)
            {
                // A rising gate restarts the count in these modes (8254 datasheet).
                frozenTicks = -1;
                loadNs = now();
            }
            else
            {
                loadNs = now() - TicksToNs(frozenTicks);
                frozenTicks = -1;
            }

            gate = value;
            Reprogrammed?.Invoke();
        }
    }

    /// <summary>The current counting element value.</summary>
    public int CurrentCount
    {
        get
        {
            if (!Counting)
            {
                return Reload & 0xFFFF;
            }

            long t = ElapsedTicks;
            long n = Period;
            return Mode switch
            {
                2 => (int)(n - (t % n)),
                3 => (int)(n - ((2 * t) % n)),
                _ => (int)((n - t) & 0xFFFF),
            } & 0xFFFF;
        }
    }

    /// <summary>The OUT pin.</summary>
    public bool Out
    {
        get
        {
            if (!Counting)
            {
                return Mode != 0;
            }

            long t = ElapsedTicks;
            long n = Period;
            return Mode switch
            {
                0 or 4 => Mode == 0 ? t >= n : t != n,
                1 => t >= n,
                2 => (t % n) != n - 1,
                3 => (t % n) < (n + 1) / 2,
                _ => true,
            };
        }
    }

    /// <summary>
    /// Input clocks from the load to the next rising edge of OUT after <paramref name="afterTicks"/>,
    /// or -1 when OUT will not rise again (the time the owner's interrupt fires).
    /// </summary>
    public long NextRisingEdge(long afterTicks)
    {
        if (!Counting || frozenTicks >= 0)
        {
            return -1;
        }

        long n = Period;
        switch (Mode)
        {
            case 0:
            case 1:
                return afterTicks < n ? n : -1;
            case 2:
            case 3:
                return ((afterTicks / n) + 1) * n;
            default:
                return -1;
        }
    }

    /// <summary>Virtual time of the count load plus <paramref name="ticks"/> input clocks.</summary>
    public long TimeOfTick(long ticks) => loadNs + TicksToNs(ticks);

    internal void WriteControl(byte value)
    {
        int access = (value >> 4) & 3;
        if (access == 0)
        {
            LatchCount();
            return;
        }

        AccessMode = access;
        int mode = (value >> 1) & 7;
        Mode = mode >= 6 ? mode - 4 : mode;
        Bcd = (value & 1) != 0;
        Counting = false;
        writeHighNext = false;
        readHighNext = false;
        latchedCount = null;
        Reprogrammed?.Invoke();
    }

    internal void LatchCount()
    {
        if (latchedCount is null)
        {
            latchedCount = CurrentCount;
            latchedCountHighNext = false;
        }
    }

    internal void LatchStatus()
    {
        latchedStatus ??= (byte)((Out ? 0x80 : 0) | (Counting ? 0 : 0x40) | (AccessMode << 4) | (Mode << 1) | (Bcd ? 1 : 0));
    }

    internal byte ReadData()
    {
        if (latchedStatus is byte status)
        {
            latchedStatus = null;
            return status;
        }

        if (latchedCount is int latched)
        {
            switch (AccessMode)
            {
                case 1:
                    latchedCount = null;
                    return (byte)latched;
                case 2:
                    latchedCount = null;
                    return (byte)(latched >> 8);
                default:
                    if (!latchedCountHighNext)
                    {
                        latchedCountHighNext = true;
                        return (byte)latched;
                    }

                    latchedCount = null;
                    return (byte)(latched >> 8);
            }
        }

        int count = CurrentCount;
        switch (AccessMode)
        {
            case 1:
                return (byte)count;
            case 2:
                return (byte)(count >> 8);
            default:
                readHighNext = !readHighNext;
                return readHighNext ? (byte)count : (byte)(count >> 8);
        }
    }

    internal void WriteData(byte value)
    {
        switch (AccessMode)
        {
            case 1:
                Load(value);
                break;
            case 2:
                Load(value << 8);
                break;
            default:
                if (!writeHighNext)
                {
                    writeLow = value;
                    writeHighNext = true;
                    if (Mode == 0)
                    {
                        // Writing the first byte in mode 0 stops the count (8254 datasheet).
                        Counting = false;
                    }
                }
                else
                {
                    writeHighNext = false;
                    Load(writeLow | (value << 8));
                }

                break;
        }
    }

    private void Load(int value)
    {
        Reload = value & 0xFFFF;
        Counting = true;
        loadNs = now();
        frozenTicks = gate ? -1 : 0;
        Reprogrammed?.Invoke();
    }
}
