namespace Devices.Hpet;

/// <summary>
/// One HPET comparator (IA-PC HPET specification 1.0a, section 2.3.8): its configuration and
/// capabilities register, the comparator and, in periodic mode, the period added at each match.
/// </summary>
internal sealed class HpetTimer
{
    public const ulong LevelTriggered = 1 << 1;
    public const ulong InterruptEnable = 1 << 2;
    public const ulong Periodic = 1 << 3;
    public const ulong PeriodicCapable = 1 << 4;
    public const ulong Size64Capable = 1 << 5;
    public const ulong ValueSet = 1 << 6;
    public const ulong Force32Bit = 1 << 8;
    public const int RouteShift = 9;
    public const ulong RouteMask = 0x1FUL << RouteShift;

    /// <summary>The bits software may write: interrupt type and enable, periodic, value set, 32-bit mode, route.</summary>
    public const ulong Writable = LevelTriggered | InterruptEnable | Periodic | ValueSet | Force32Bit | RouteMask;

    public HpetTimer(int index, uint routeCapability)
    {
        Index = index;
        Configuration = PeriodicCapable | Size64Capable | ((ulong)routeCapability << 32);
    }

    public int Index { get; }

    public ulong Configuration { get; set; }

    public ulong Comparator { get; set; } = ulong.MaxValue;

    public ulong Period { get; set; }

    public bool Enabled => (Configuration & InterruptEnable) != 0;

    public bool IsPeriodic => (Configuration & Periodic) != 0;

    public bool IsLevel => (Configuration & LevelTriggered) != 0;

    public bool Is32Bit => (Configuration & Force32Bit) != 0;

    /// <summary>The IOAPIC input the timer drives when legacy replacement does not claim it.</summary>
    public int Route => (int)((Configuration & RouteMask) >> RouteShift);

    /// <summary>
    /// Ticks from <paramref name="counter"/> until the counter next equals the comparator, counting in the
    /// timer's width (a comparator behind the counter matches after the counter wraps).
    /// </summary>
    public ulong TicksUntilMatch(ulong counter)
    {
        ulong ticks = Is32Bit ? (uint)((uint)Comparator - (uint)counter) : Comparator - counter;
        return ticks == 0 ? (Is32Bit ? 1UL << 32 : ulong.MaxValue) : ticks;
    }
}
