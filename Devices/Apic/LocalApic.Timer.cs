namespace Devices.Apic;

/// <summary>
/// The APIC timer (Intel SDM Vol. 3A, 11.5.4): one-shot and periodic counting down the initial count at
/// 1 GHz divided by the divide configuration, and TSC-deadline mode armed through IA32_TSC_DEADLINE.
/// </summary>
public sealed partial class LocalApic
{
    private const int TimerOneShot = 0;
    private const int TimerPeriodic = 1;
    private const int TimerTscDeadline = 2;

    /// <summary>RDMSR IA32_TSC_DEADLINE: the armed deadline, 0 once fired or when not in TSC-deadline mode.</summary>
    public ulong ReadTscDeadline() => TimerMode == TimerTscDeadline ? tscDeadline : 0;

    /// <summary>WRMSR IA32_TSC_DEADLINE: arms (non-zero) or disarms (zero) the timer; ignored outside TSC-deadline mode (SDM 11.5.4.1).</summary>
    public void WriteTscDeadline(ulong value)
    {
        if (TimerMode != TimerTscDeadline)
        {
            return;
        }

        tscDeadline = value;
        ScheduleTimer();
    }

    private int TimerMode => (int)((lvt[LvtTimer] >> 17) & 3);

    private int DivideShift => (int)(((divideConfig & 3) | ((divideConfig >> 1) & 4)) + 1) & 7;

    private uint CurrentCount()
    {
        if (TimerMode == TimerTscDeadline || initialCount == 0)
        {
            return 0;
        }

        long elapsed = (clock.NowNs - timerStartNs) >> DivideShift;
        if (TimerMode == TimerPeriodic)
        {
            return (uint)(initialCount - (elapsed % initialCount));
        }

        return elapsed >= initialCount ? 0 : (uint)(initialCount - elapsed);
    }

    private void ScheduleTimer()
    {
        if (TimerMode == TimerTscDeadline)
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
        if (TimerMode == TimerPeriodic)
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
            AcceptInterrupt((int)(entry & 0xFF), levelTriggered: false); // an illegal vector is a receive error
        }

        switch (TimerMode)
        {
            case TimerPeriodic:
                long period = (long)initialCount << DivideShift;
                timer.Arm(due + period);
                break;
            case TimerTscDeadline:
                tscDeadline = 0;
                break;
        }
    }
}
