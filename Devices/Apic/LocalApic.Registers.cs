namespace Devices.Apic;

/// <summary>
/// The APIC's registers by their xAPIC offsets (Intel SDM Vol. 3A, table 11-1), read and written through
/// the MMIO page in xAPIC mode and through the MSRs in x2APIC mode (<c>LocalApic.Msrs.cs</c>); EOI.
/// </summary>
public sealed partial class LocalApic
{
    /// <summary>An MMIO read; a globally disabled APIC or one in x2APIC mode does not claim its page (SDM 11.4.3, 11.12.1): all ones.</summary>
    public ulong Read(ulong offset, int size)
    {
        if (!MmioClaimed)
        {
            return size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
        }

        uint value = ReadRegister((uint)(offset & 0xFF0));
        int shift = (int)(offset & 3) * 8;
        ulong v = value >> shift;
        return size >= 4 ? v : v & ((1UL << (size * 8)) - 1);
    }

    public void Write(ulong offset, int size, ulong value)
    {
        if ((offset & 0xF) != 0 || !MmioClaimed)
        {
            return;
        }

        WriteRegister((uint)(offset & 0xFF0), (uint)value);
    }

    private bool MmioClaimed => GloballyEnabled && !X2ApicMode;

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
                    // Software disable masks every LVT entry (SDM 11.4.7.2).
                    for (int i = 0; i < lvt.Length; i++)
                    {
                        lvt[i] |= LvtMasked;
                    }
                }

                break;
            case 0x280:
                // A write loads the errors seen since the last write and starts collecting anew (SDM 11.5.3).
                esr = pendingErrors;
                pendingErrors = 0;
                break;
            case 0x2F0:
                WriteLvt(LvtCmci, value, 0x117FF);
                break;
            case 0x300:
                icrLow = value & 0x000C_CFFF;
                SendIpi(icrHigh >> 24);
                break;
            case 0x310:
                icrHigh = value & 0xFF00_0000;
                break;
            case 0x320:
                int oldMode = TimerMode;
                WriteLvt(LvtTimer, value, 0x700FF);
                if (TimerMode != oldMode)
                {
                    // Switching modes disarms the timer (SDM 11.5.4.1).
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
                if (TimerMode == TimerTscDeadline)
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

                RaiseError(EsrIllegalRegister);
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
}
