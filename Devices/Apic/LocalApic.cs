using System.Numerics;
using Devices.Interrupts;
using Devices.Timing;
using Mmu.Interrupts;
using Mmu.Io;

namespace Devices.Apic;

/// <summary>
/// The local APIC of the one processor, in xAPIC mode at 0xFEE00000 (Intel SDM vol. 3A, chapter 10):
/// ID, version, TPR/PPR, EOI (with broadcast to the IOAPIC for level-triggered vectors), LDR/DFR, SVR,
/// ISR/TMR/IRR, ESR, ICR (fixed self/broadcast IPIs), and the LVT: timer (one-shot, periodic,
/// TSC-deadline), LINT0 (ExtINT from the 8259 pair, set at reset as a PC BIOS and QEMU leave it),
/// LINT1 and error. It is what the CPU asks for interrupts (<see cref="IInterruptController"/>).
/// The timer counts at 1 GHz divided by the divide configuration, as on QEMU.
/// </summary>
public sealed class LocalApic : IMmioDevice, IInterruptController
{
    public const ulong DefaultBase = 0xFEE0_0000;
    public const uint Version = 0x0005_0014; // version 0x14, six LVT entries (max LVT index 5)
    public const long BusHz = 1_000_000_000;

    private const uint LvtMasked = 1u << 16;
    private const int LvtTimer = 0;
    private const int LvtThermal = 1;
    private const int LvtPerf = 2;
    private const int LvtLint0 = 3;
    private const int LvtLint1 = 4;
    private const int LvtError = 5;
    private const int LvtCmci = 6;

    private readonly ulong[] irr = new ulong[4];
    private readonly ulong[] isr = new ulong[4];
    private readonly ulong[] tmr = new ulong[4];
    private readonly uint[] lvt = new uint[7];
    private readonly VirtualClock clock;
    private readonly ClockTimer timer;
    private IExternalInterruptSource? extInt;
    private uint id;
    private uint tpr;
    private uint ldr;
    private uint dfr;
    private uint svr;
    private uint esr;
    private uint pendingErrors;
    private uint icrLow;
    private uint icrHigh;
    private uint divideConfig;
    private uint initialCount;
    private long timerStartNs;
    private ulong tscDeadline;

    public LocalApic(VirtualClock clock, uint apicId = 0)
    {
        this.clock = clock;
        timer = clock.CreateTimer("lapic-timer", OnTimer);
        Reset(apicId);
    }

    /// <summary>Raised on EOI of a level-triggered vector: the IOAPIC clears its remote IRR (Intel SDM 10.8.5).</summary>
    public event Action<int>? EndOfInterruptBroadcast;

    /// <summary>IA32_APIC_BASE (MSR 0x1B): base 0xFEE00000, BSP (bit 8), global enable (bit 11). Relocation is not modelled.</summary>
    public ulong ApicBaseMsr { get; set; }

    public bool GloballyEnabled => (ApicBaseMsr & (1UL << 11)) != 0;

    public bool SoftwareEnabled => (svr & 0x100) != 0;

    public uint Id => id >> 24;

    /// <summary>Interrupts the CPU acknowledged through this APIC (its own vectors and ExtINT).</summary>
    public long Acknowledged { get; private set; }

    /// <summary>Timer interrupts raised (one-shot, periodic or TSC-deadline).</summary>
    public long TimerInterrupts { get; private set; }

    /// <summary>Inter-processor interrupts sent (to itself).</summary>
    public long IpisSent { get; private set; }

    /// <summary>The processor's TSC (what RDTSC returns), for TSC-deadline mode; the virtual clock's TSC by default.</summary>
    public Func<ulong>? TscSource { get; set; }

    /// <summary>The 8259 pair behind LINT0.</summary>
    public void ConnectExtInt(IExternalInterruptSource source) => extInt = source;

    public void Register(Mmu.Physical.PhysicalBus bus) => bus.RegisterMmio(DefaultBase, 0x1000, this);

    public void Reset(uint apicId = 0)
    {
        Array.Clear(irr);
        Array.Clear(isr);
        Array.Clear(tmr);
        for (int i = 0; i < lvt.Length; i++)
        {
            lvt[i] = LvtMasked;
        }

        // A PC BIOS leaves LINT0 in ExtINT mode and LINT1 as NMI so the 8259 works with the APIC untouched.
        lvt[LvtLint0] = 0x700;
        lvt[LvtLint1] = 0x400;
        id = apicId << 24;
        tpr = 0;
        ldr = 0;
        dfr = 0xFFFF_FFFF;
        svr = 0xFF;
        esr = 0;
        pendingErrors = 0;
        icrLow = 0;
        icrHigh = 0;
        divideConfig = 0;
        initialCount = 0;
        tscDeadline = 0;
        timer.Disarm();
        ApicBaseMsr = DefaultBase | (1UL << 11) | (1UL << 8);
    }

    // ---- what the CPU asks (IInterruptController) ----

    public bool HasPendingInterrupt
    {
        get
        {
            if (GloballyEnabled && HighestDeliverable() >= 0)
            {
                return true;
            }

            return ExtIntPending;
        }
    }

    public int Acknowledge()
    {
        Acknowledged++;
        if (GloballyEnabled)
        {
            int v = HighestDeliverable();
            if (v >= 0)
            {
                Clear(irr, v);
                Set(isr, v);
                return v;
            }
        }

        if (ExtIntPending)
        {
            return extInt!.AcknowledgeInterrupt();
        }

        // The request went away between the check and the INTA cycle: the spurious vector (SDM 10.9).
        return (int)(svr & 0xFF);
    }

    public ulong TaskPriority
    {
        get => (tpr >> 4) & 0xF;
        set => tpr = (uint)((value & 0xF) << 4);
    }

    // ---- inputs from devices ----

    /// <summary>Accepts a fixed interrupt (from the IOAPIC, an LVT or an IPI) into IRR; TMR records level triggering.</summary>
    public void AcceptInterrupt(int vector, bool levelTriggered)
    {
        if (vector < 16)
        {
            RaiseError(1u << 6); // received illegal vector
            return;
        }

        if (!GloballyEnabled)
        {
            return;
        }

        Set(irr, vector);
        if (levelTriggered)
        {
            Set(tmr, vector);
        }
        else
        {
            Clear(tmr, vector);
        }
    }

    /// <summary>Whether a message for <paramref name="destination"/> in the given mode reaches this APIC (Intel SDM 10.6.2).</summary>
    public bool MatchesDestination(uint destination, bool logical)
    {
        destination &= 0xFF;
        if (!logical)
        {
            return destination == 0xFF || destination == Id;
        }

        uint logicalId = ldr >> 24;
        if (destination == 0xFF)
        {
            return true;
        }

        if ((dfr >> 28) == 0xF)
        {
            return (logicalId & destination) != 0;
        }

        // Cluster model: high nibble the cluster, low nibble a member bitmap.
        return (logicalId >> 4) == (destination >> 4) && (logicalId & destination & 0xF) != 0;
    }

    // ---- IA32_TSC_DEADLINE (MSR 0x6E0), for the CPU's MSR code ----

    /// <summary>RDMSR IA32_TSC_DEADLINE: the armed deadline, 0 once fired or when not in TSC-deadline mode.</summary>
    public ulong ReadTscDeadline() => TimerMode == 2 ? tscDeadline : 0;

    /// <summary>WRMSR IA32_TSC_DEADLINE: arms (non-zero) or disarms (zero) the timer; ignored outside TSC-deadline mode (SDM 10.5.4.1).</summary>
    public void WriteTscDeadline(ulong value)
    {
        if (TimerMode != 2)
        {
            return;
        }

        tscDeadline = value;
        ScheduleTimer();
    }

    private int TimerMode => (int)((lvt[LvtTimer] >> 17) & 3);

    private int DivideShift => (int)(((divideConfig & 3) | ((divideConfig >> 1) & 4)) + 1) & 7;

    private bool ExtIntPending =>
        extInt is not null
        && (!GloballyEnabled || ((lvt[LvtLint0] & LvtMasked) == 0 && ((lvt[LvtLint0] >> 8) & 7) == 7))
        && extInt.HasInterrupt;

    private uint ProcessorPriority
    {
        get
        {
            int isrv = Highest(isr);
            uint isrClass = isrv < 0 ? 0 : (uint)isrv & 0xF0;
            return (tpr & 0xF0) >= isrClass ? tpr & 0xFF : isrClass;
        }
    }

    // ---- MMIO ----

    public ulong Read(ulong offset, int size)
    {
        uint value = ReadRegister((uint)(offset & 0xFF0));
        int shift = (int)(offset & 3) * 8;
        ulong v = value >> shift;
        return size >= 4 ? v : v & ((1UL << (size * 8)) - 1);
    }

    public void Write(ulong offset, int size, ulong value)
    {
        if ((offset & 0xF) != 0)
        {
            return;
        }

        WriteRegister((uint)(offset & 0xFF0), (uint)value);
    }

    private uint ReadRegister(uint reg)
    {
        switch (reg)
        {
            case 0x020: return id;
            case 0x030: return Version;
            case 0x080: return tpr;
            case 0x090: return 0; // APR: arbitration priority is not used on one CPU
            case 0x0A0: return ProcessorPriority;
            case 0x0B0: return 0;
            case 0x0D0: return ldr;
            case 0x0E0: return dfr;
            case 0x0F0: return svr;
            case >= 0x100 and < 0x180: return Word(isr, (int)((reg - 0x100) >> 4));
            case >= 0x180 and < 0x200: return Word(tmr, (int)((reg - 0x180) >> 4));
            case >= 0x200 and < 0x280: return Word(irr, (int)((reg - 0x200) >> 4));
            case 0x280: return esr;
            case 0x2F0: return lvt[LvtCmci];
            case 0x300: return icrLow & ~(1u << 12);
            case 0x310: return icrHigh;
            case 0x320: return lvt[LvtTimer];
            case 0x330: return lvt[LvtThermal];
            case 0x340: return lvt[LvtPerf];
            case 0x350: return lvt[LvtLint0];
            case 0x360: return lvt[LvtLint1];
            case 0x370: return lvt[LvtError];
            case 0x380: return initialCount;
            case 0x390: return CurrentCount();
            case 0x3E0: return divideConfig;
            default:
                return 0;
        }
    }

    private void WriteRegister(uint reg, uint value)
    {
        switch (reg)
        {
            case 0x020:
                id = value & 0xFF00_0000;
                break;
            case 0x080:
                tpr = value & 0xFF;
                break;
            case 0x0B0:
                EndOfInterrupt();
                break;
            case 0x0D0:
                ldr = value & 0xFF00_0000;
                break;
            case 0x0E0:
                dfr = value | 0x0FFF_FFFF;
                break;
            case 0x0F0:
                svr = value & 0x13FF;
                if (!SoftwareEnabled)
                {
                    // Software disable masks every LVT entry (SDM 10.4.7.2).
                    for (int i = 0; i < lvt.Length; i++)
                    {
                        lvt[i] |= LvtMasked;
                    }
                }

                break;
            case 0x280:
                esr = pendingErrors;
                pendingErrors = 0;
                break;
            case 0x2F0:
                WriteLvt(LvtCmci, value, 0x117FF);
                break;
            case 0x300:
                icrLow = value & 0x000C_CFFF;
                SendIpi();
                break;
            case 0x310:
                icrHigh = value & 0xFF00_0000;
                break;
            case 0x320:
                int oldMode = TimerMode;
                WriteLvt(LvtTimer, value, 0x700FF);
                if (TimerMode != oldMode)
                {
                    // Switching modes disarms the timer (SDM 10.5.4.1).
                    initialCount = 0;
                    tscDeadline = 0;
                    timer.Disarm();
                }

                break;
            case 0x330:
                WriteLvt(LvtThermal, value, 0x107FF);
                break;
            case 0x340:
                WriteLvt(LvtPerf, value, 0x107FF);
                break;
            case 0x350:
                WriteLvt(LvtLint0, value, 0x1A7FF);
                break;
            case 0x360:
                WriteLvt(LvtLint1, value, 0x1A7FF);
                break;
            case 0x370:
                WriteLvt(LvtError, value, 0x100FF);
                break;
            case 0x380:
                if (TimerMode == 2)
                {
                    break;
                }

                initialCount = value;
                timerStartNs = clock.NowNs;
                ScheduleTimer();
                break;
            case 0x3E0:
                uint count = CurrentCount();
                divideConfig = value & 0xB;
                if (initialCount != 0 && count != 0)
                {
                    // Keep the current count continuous across a divider change.
                    timerStartNs = clock.NowNs - ((long)(initialCount - count) << DivideShift);
                    ScheduleTimer();
                }

                break;
            case 0x030 or 0x090 or 0x0A0 or 0x390:
                break;
            default:
                if (reg is >= 0x100 and < 0x280)
                {
                    break;
                }

                RaiseError(1u << 7); // illegal register address
                break;
        }
    }

    private void WriteLvt(int index, uint value, uint writable)
    {
        uint v = value & writable;
        if (!SoftwareEnabled)
        {
            v |= LvtMasked;
        }

        lvt[index] = v;
    }

    private void EndOfInterrupt()
    {
        int v = Highest(isr);
        if (v < 0)
        {
            return;
        }

        Clear(isr, v);
        if (IsSet(tmr, v))
        {
            Clear(tmr, v);
            EndOfInterruptBroadcast?.Invoke(v);
        }
    }

    private void SendIpi()
    {
        int vector = (int)(icrLow & 0xFF);
        int mode = (int)((icrLow >> 8) & 7);
        int shorthand = (int)((icrLow >> 18) & 3);
        bool logical = (icrLow & (1u << 11)) != 0;
        bool toSelf = shorthand switch
        {
            1 or 2 => true,
            3 => false,
            _ => MatchesDestination(icrHigh >> 24, logical),
        };
        IpisSent++;
        if (!toSelf || mode != 0)
        {
            // One processor: INIT, SIPI and NMI have no other target; others are not modelled.
            return;
        }

        if (vector < 16)
        {
            RaiseError(1u << 5); // send illegal vector
            return;
        }

        AcceptInterrupt(vector, levelTriggered: false);
    }

    private void RaiseError(uint bits)
    {
        pendingErrors |= bits;
        uint entry = lvt[LvtError];
        if ((entry & LvtMasked) == 0 && (entry & 0xFF) >= 16)
        {
            Set(irr, (int)(entry & 0xFF));
        }
    }

    // ---- timer ----

    private uint CurrentCount()
    {
        if (TimerMode == 2 || initialCount == 0)
        {
            return 0;
        }

        long elapsed = (clock.NowNs - timerStartNs) >> DivideShift;
        if (TimerMode == 1)
        {
            return (uint)(initialCount - (elapsed % initialCount));
        }

        return elapsed >= initialCount ? 0 : (uint)(initialCount - elapsed);
    }

    private void ScheduleTimer()
    {
        if (TimerMode == 2)
        {
            if (tscDeadline == 0)
            {
                timer.Disarm();
                return;
            }

            ulong tsc = TscSource?.Invoke() ?? clock.ReadTsc();
            long ns = clock.NowNs + (long)(tscDeadline - tsc);
            timer.Arm(ns);
            return;
        }

        if (initialCount == 0)
        {
            timer.Disarm();
            return;
        }

        long period = (long)initialCount << DivideShift;
        if (TimerMode == 1)
        {
            long elapsed = clock.NowNs - timerStartNs;
            timer.Arm(timerStartNs + (((elapsed / period) + 1) * period));
        }
        else
        {
            // Callers schedule a one-shot only before it has counted down, so it is armed even when its
            // deadline has passed: on the realtime clock time moves between two reads, and a short count
            // (a tickless guest's "next event is now") must still interrupt, not be dropped.
            timer.Arm(timerStartNs + period);
        }
    }

    private void OnTimer(long due)
    {
        TimerInterrupts++;
        uint entry = lvt[LvtTimer];
        if ((entry & LvtMasked) == 0)
        {
            AcceptInterrupt((int)(entry & 0xFF), levelTriggered: false);
        }

        switch (TimerMode)
        {
            case 1:
                long period = (long)initialCount << DivideShift;
                timer.Arm(due + period);
                break;
            case 2:
                tscDeadline = 0;
                break;
        }
    }

    // ---- 256-bit registers ----

    private int HighestDeliverable()
    {
        if (!SoftwareEnabled)
        {
            // A software-disabled APIC holds what is in IRR until it is enabled again (SDM 10.4.7.2).
            return -1;
        }

        int v = Highest(irr);
        if (v < 0)
        {
            return -1;
        }

        return (uint)(v & 0xF0) > (ProcessorPriority & 0xF0) ? v : -1;
    }

    private static int Highest(ulong[] bits)
    {
        for (int i = 3; i >= 0; i--)
        {
            if (bits[i] != 0)
            {
                return (i * 64) + 63 - BitOperations.LeadingZeroCount(bits[i]);
            }
        }

        return -1;
    }

    private static void Set(ulong[] bits, int v) => bits[v >> 6] |= 1UL << (v & 63);

    private static void Clear(ulong[] bits, int v) => bits[v >> 6] &= ~(1UL << (v & 63));

    private static bool IsSet(ulong[] bits, int v) => (bits[v >> 6] & (1UL << (v & 63))) != 0;

    private static uint Word(ulong[] bits, int index) => (uint)(bits[index >> 1] >> ((index & 1) * 32));
}
