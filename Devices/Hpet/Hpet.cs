using Devices.Timing;
using Mmu.Interrupts;
using Mmu.Io;

namespace Devices.Hpet;

/// <summary>
/// The High Precision Event Timer at 0xFED00000 as QEMU's pc machine has it (IA-PC HPET specification
/// 1.0a): a 64-bit main counter at <see cref="CounterHz"/> on the virtual clock and three comparators,
/// each 64-bit and periodic-capable, routed to an IOAPIC input or, with legacy replacement, timer 0 to
/// IRQ 0 and timer 1 to IRQ 8 (the PIT and the RTC are then cut off from those lines).
/// </summary>
public sealed class Hpet : IMmioDevice
{
    public const ulong DefaultBase = 0xFED0_0000;
    public const ulong Size = 0x400;

    /// <summary>The main counter's frequency: a 10 ns period, as QEMU's.</summary>
    public const long CounterHz = 100_000_000;

    public const int TimerCount = 3;

    /// <summary>Femtoseconds per counter tick (the capabilities register's COUNTER_CLK_PERIOD).</summary>
    public const uint PeriodFemtoseconds = (uint)(1_000_000_000_000_000 / CounterHz);

    /// <summary>IOAPIC inputs a comparator may be routed to: 2, 8 and 20-23.</summary>
    public const uint RouteCapability = (1 << 2) | (1 << 8) | (0xFu << 20);

    private const ulong EnableBit = 1 << 0;
    private const ulong LegacyRouteBit = 1 << 1;
    private const long NsPerTick = 1_000_000_000 / CounterHz;

    private readonly VirtualClock clock;
    private readonly Func<int, IInterruptLine> ioApicInput;
    private readonly IInterruptLine legacyIrq0;
    private readonly IInterruptLine legacyIrq8;
    private readonly HpetTimer[] timers = new HpetTimer[TimerCount];
    private readonly ClockTimer[] events = new ClockTimer[TimerCount];
    private ulong configuration;
    private ulong interruptStatus;
    private ulong counterBase; // the main counter when it was last enabled or written
    private long counterBaseNs;

    /// <param name="clock">The machine's virtual clock.</param>
    /// <param name="ioApicInput">The IOAPIC input a comparator is routed to.</param>
    /// <param name="legacyIrq0">ISA IRQ 0 (legacy replacement for timer 0).</param>
    /// <param name="legacyIrq8">ISA IRQ 8 (legacy replacement for timer 1).</param>
    public Hpet(VirtualClock clock, Func<int, IInterruptLine> ioApicInput, IInterruptLine legacyIrq0, IInterruptLine legacyIrq8)
    {
        this.clock = clock;
        this.ioApicInput = ioApicInput;
        this.legacyIrq0 = legacyIrq0;
        this.legacyIrq8 = legacyIrq8;
        for (int i = 0; i < TimerCount; i++)
        {
            int index = i;
            timers[i] = new HpetTimer(i, RouteCapability);
            events[i] = clock.CreateTimer($"hpet timer {i}", _ => Match(timers[index]));
        }
    }

    /// <summary>True while legacy replacement routing claims IRQ 0 and IRQ 8 (the PIT's and the RTC's lines are cut off).</summary>
    public bool LegacyRouting => (configuration & (EnableBit | LegacyRouteBit)) == (EnableBit | LegacyRouteBit);

    private bool Running => (configuration & EnableBit) != 0;

    /// <summary>The main counter now.</summary>
    public ulong MainCounter => Running ? counterBase + (ulong)((clock.NowNs - counterBaseNs) / NsPerTick) : counterBase;

    public void Register(Mmu.Physical.PhysicalBus bus) => bus.RegisterMmio(DefaultBase, Size, this);

    /// <summary>RESET: halted at counter 0, no legacy routing, every comparator at its power-up value and disarmed.</summary>
    public void Reset()
    {
        configuration = 0;
        interruptStatus = 0;
        counterBase = 0;
        counterBaseNs = 0;
        for (int i = 0; i < TimerCount; i++)
        {
            timers[i] = new HpetTimer(i, RouteCapability);
            events[i].Disarm();
        }
    }

    public ulong Read(ulong offset, int size)
    {
        ulong register = Register64(offset & ~7UL);
        int shift = (int)(offset & 7) * 8;
        return size == 8 ? register : (register >> shift) & ((1UL << (size * 8)) - 1);
    }

    public void Write(ulong offset, int size, ulong value)
    {
        ulong aligned = offset & ~7UL;
        int shift = (int)(offset & 7) * 8;
        ulong mask = (size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1) << shift;
        ulong merged = (Register64(aligned) & ~mask) | ((value << shift) & mask);
        switch (aligned)
        {
            case 0x010:
                WriteConfiguration(merged);
                break;
            case 0x020:
                ClearStatus((value << shift) & mask);
                break;
            case 0x0F0:
                if (!Running)
                {
                    counterBase = merged; // the counter is writable only while halted (section 2.3.7)
                }

                break;
            default:
                if (aligned >= 0x100 && aligned < 0x100 + (0x20 * TimerCount))
                {
                    WriteTimer(timers[(int)((aligned - 0x100) / 0x20)], (int)((aligned - 0x100) % 0x20), merged, mask);
                }

                break;
        }
    }

    private ulong Register64(ulong offset)
    {
        switch (offset)
        {
            case 0x000:
                return 1 /* revision */ | ((ulong)(TimerCount - 1) << 8) | (1 << 13) /* 64-bit counter */
                    | (1 << 15) /* legacy replacement capable */ | (0x8086UL << 16) | ((ulong)PeriodFemtoseconds << 32);
            case 0x010:
                return configuration;
            case 0x020:
                return interruptStatus;
            case 0x0F0:
                return MainCounter;
            default:
                if (offset >= 0x100 && offset < 0x100 + (0x20 * TimerCount))
                {
                    HpetTimer t = timers[(int)((offset - 0x100) / 0x20)];
                    return ((offset - 0x100) % 0x20) switch
                    {
                        0x00 => t.Configuration,
                        0x08 => t.Is32Bit ? (uint)t.Comparator : t.Comparator,
                        _ => 0, // FSB interrupt route: not capable
                    };
                }

                return 0;
        }
    }

    private void WriteConfiguration(ulong value)
    {
        ulong now = MainCounter;
        bool wasLegacy = LegacyRouting;
        configuration = value & (EnableBit | LegacyRouteBit);
        counterBase = now;
        counterBaseNs = clock.NowNs;
        if (wasLegacy != LegacyRouting)
        {
            // Switching routes drops whatever level the old route held.
            for (int i = 0; i < TimerCount; i++)
            {
                Line(timers[i], legacy: wasLegacy).Set(false);
            }
        }

        foreach (HpetTimer t in timers)
        {
            Schedule(t);
        }
    }

    private void WriteTimer(HpetTimer t, int register, ulong value, ulong mask)
    {
        if (register == 0x00)
        {
            bool wasLevel = t.IsLevel;
            t.Configuration = (t.Configuration & ~HpetTimer.Writable) | (value & HpetTimer.Writable);
            if (t.Is32Bit)
            {
                t.Comparator = (uint)t.Comparator;
            }

            if (wasLevel && !t.IsLevel)
            {
                ClearStatus(1UL << t.Index);
            }
        }
        else if (register == 0x08)
        {
            ulong written = t.Is32Bit ? (uint)value : value;
            bool low = (mask & 0xFFFF_FFFF) != 0;
            bool high = (mask >> 32) != 0;
            ulong changed = (low ? 0xFFFF_FFFFUL : 0) | (high ? 0xFFFF_FFFF_0000_0000UL : 0);

            // A write sets the comparator unless the timer is periodic without VALUE_SET; in periodic mode it
            // also sets the period added at each match (section 2.3.9.2.2).
            if (!t.IsPeriodic || (t.Configuration & HpetTimer.ValueSet) != 0)
            {
                t.Comparator = (t.Comparator & ~changed) | (written & changed);
            }

            if (t.IsPeriodic)
            {
                t.Period = (t.Period & ~changed) | (written & changed);
            }

            t.Configuration &= ~HpetTimer.ValueSet;
        }

        Schedule(t);
    }

    private void Schedule(HpetTimer t)
    {
        int i = t.Index;
        if (!Running)
        {
            events[i].Disarm();
            return;
        }

        ulong counter = MainCounter;
        ulong ticks = t.TicksUntilMatch(counter);
        if (ticks > (ulong)(long.MaxValue / NsPerTick / 2))
        {
            events[i].Disarm(); // centuries away
            return;
        }

        // The counter's value at a given time is rounded down, so the match happens at the tick's start.
        ulong target = counter + ticks;
        long due = counterBaseNs + ((long)(target - counterBase) * NsPerTick);
        events[i].Arm(Math.Max(due, clock.NowNs));
    }

    private void Match(HpetTimer t)
    {
        if (t.IsPeriodic && t.Period != 0)
        {
            // Advance by whole periods past the counter, so a late check never fires a burst.
            ulong counter = MainCounter;
            do
            {
                t.Comparator = t.Is32Bit ? (uint)(t.Comparator + t.Period) : t.Comparator + t.Period;
            }
            while (t.TicksUntilMatch(counter) > t.Period && t.Period < (t.Is32Bit ? 1UL << 32 : ulong.MaxValue));
        }

        if (t.Enabled)
        {
            Raise(t);
        }

        Schedule(t); // a one-shot comparator matches again when the counter wraps round to it
    }

    private void Raise(HpetTimer t)
    {
        IInterruptLine line = Line(t, LegacyRouting);
        if (t.IsLevel)
        {
            interruptStatus |= 1UL << t.Index;
            line.Set(true);
        }
        else
        {
            line.Set(true);
            line.Set(false);
        }
    }

    private void ClearStatus(ulong bits)
    {
        for (int i = 0; i < TimerCount; i++)
        {
            if ((bits & interruptStatus & (1UL << i)) != 0)
            {
                interruptStatus &= ~(1UL << i);
                Line(timers[i], LegacyRouting).Set(false);
            }
        }
    }

    private IInterruptLine Line(HpetTimer t, bool legacy) => legacy && t.Index < 2
        ? (t.Index == 0 ? legacyIrq0 : legacyIrq8)
        : ioApicInput(t.Route);
}
