using Devices.Timing;
using Mmu.Interrupts;
using Mmu.Io;

namespace Devices.Rtc;

/// <summary>
/// The MC146818 CMOS real-time clock and its 128 bytes of CMOS RAM at 0x70 (index, bit 7 disables NMI)
/// and 0x71 (data). The time is a base date plus the virtual clock: the host's UTC time at power-on in
/// realtime mode, a fixed date in deterministic mode. Register B selects BCD or binary and 12- or 24-hour
/// format; register A shows update-in-progress for the last 244 us of each second; the periodic
/// interrupt (register A's rate, register B's PIE) and update-ended interrupt (UIE) raise IRQ 8, which
/// stays asserted until register C is read, as on the chip.
/// </summary>
public sealed class CmosRtc : IPortDevice
{
    public const ushort IndexPort = 0x70;
    public const ushort DataPort = 0x71;
    public const int Irq = 8;

    /// <summary>The date a deterministic machine powers on at.</summary>
    public static readonly DateTime DeterministicBase = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private const long NsPerSecond = 1_000_000_000;
    private const long UpdateInProgressNs = 244_000;

    private readonly byte[] ram = new byte[128];
    private readonly VirtualClock clock;
    private readonly IInterruptLine irq;
    private readonly ClockTimer periodicTimer;
    private readonly ClockTimer updateTimer;
    private long baseTicks; // DateTime ticks (100 ns) at virtual time 0
    private int index;
    private byte regA = 0x26; // 32.768 kHz divider, 1024 Hz rate
    private byte regB = 0x02; // 24-hour, BCD
    private byte regC;

    public CmosRtc(VirtualClock clock, IInterruptLine irq, DateTime? powerOnTime = null)
    {
        this.clock = clock;
        this.irq = irq;
        DateTime start = powerOnTime ?? (clock.Mode == ClockMode.Deterministic ? DeterministicBase : DateTime.UtcNow);
        baseTicks = start.Ticks;
        periodicTimer = clock.CreateTimer("rtc-periodic", OnPeriodic);
        updateTimer = clock.CreateTimer("rtc-update", OnUpdate);
    }

    /// <summary>Port 0x70 bit 7: NMIs are masked (the CPU has no NMI input modelled; kept for the guest to read back).</summary>
    public bool NmiDisabled { get; private set; }

    /// <summary>IRQ 8 assertions.</summary>
    public long Interrupts { get; private set; }

    public void Register(PortSpace ports) => ports.Register(IndexPort, 2, this);

    /// <summary>
    /// The RESET pin (MC146818 datasheet): PIE, AIE, UIE and SQWE in register B and the flags of register C are
    /// cleared and IRQ 8 released. The time and the CMOS RAM are battery-backed and stay.
    /// </summary>
    public void Reset()
    {
        regB &= unchecked((byte)~0x78);
        regC = 0;
        index = 0;
        periodicTimer.Disarm();
        updateTimer.Disarm();
        irq.Set(false);
    }

    /// <summary>Fills the memory-size bytes QEMU's BIOS data leaves in CMOS (base, extended, above 16 MiB).</summary>
    public void SetMemorySize(ulong bytes)
    {
        ram[0x15] = 0x80; // 640 KiB base memory
        ram[0x16] = 0x02;
        ulong extKb = Math.Min(bytes > 0x10_0000 ? (bytes - 0x10_0000) / 1024 : 0, 0xFFFF);
        ram[0x17] = ram[0x30] = (byte)extKb;
        ram[0x18] = ram[0x31] = (byte)(extKb >> 8);
        ulong above16M = Math.Min(bytes > 0x100_0000 ? (bytes - 0x100_0000) / 65536 : 0, 0xFFFF);
        ram[0x34] = (byte)above16M;
        ram[0x35] = (byte)(above16M >> 8);
    }

    /// <summary>The current RTC time.</summary>
    public DateTime Now => new(baseTicks + (clock.NowNs / 100), DateTimeKind.Utc);

    public uint In(ushort port, int size)
    {
        if (port == IndexPort)
        {
            return 0xFF;
        }

        return ReadRegister(index);
    }

    public void Out(ushort port, int size, uint value)
    {
        if (port == IndexPort)
        {
            index = (int)(value & 0x7F);
            NmiDisabled = (value & 0x80) != 0;
            return;
        }

        WriteRegister(index, (byte)value);
    }

    private bool Binary => (regB & 0x04) != 0;

    private bool Hour24 => (regB & 0x02) != 0;

    private byte ReadRegister(int reg)
    {
        DateTime t = Now;
        switch (reg)
        {
            case 0x00: return Encode(t.Second);
            case 0x02: return Encode(t.Minute);
            case 0x04: return EncodeHour(t.Hour);
            case 0x06: return Encode((int)t.DayOfWeek + 1);
            case 0x07: return Encode(t.Day);
            case 0x08: return Encode(t.Month);
            case 0x09: return Encode(t.Year % 100);
            case 0x32: return Encode(t.Year / 100);
            case 0x0A:
                bool uip = (regB & 0x80) == 0 && (clock.NowNs % NsPerSecond) >= NsPerSecond - UpdateInProgressNs;
                return (byte)((regA & 0x7F) | (uip ? 0x80 : 0));
            case 0x0B: return regB;
            case 0x0C:
                byte c = regC;
                regC = 0;
                irq.Set(false);
                return c;
            case 0x0D: return 0x80; // valid RAM and time
            default: return ram[reg];
        }
    }

    private void WriteRegister(int reg, byte value)
    {
        switch (reg)
        {
            case 0x00: SetField(reg, value); break;
            case 0x02: SetField(reg, value); break;
            case 0x04: SetField(reg, value); break;
            case 0x07: SetField(reg, value); break;
            case 0x08: SetField(reg, value); break;
            case 0x09: SetField(reg, value); break;
            case 0x32: SetField(reg, value); break;
            case 0x0A:
                regA = (byte)(value & 0x7F);
                SchedulePeriodic();
                break;
            case 0x0B:
                regB = value;
                if ((regB & 0x80) != 0)
                {
                    // SET halts updates and clears UIE (MC146818 datasheet).
                    regB &= unchecked((byte)~0x10);
                }

                SchedulePeriodic();
                ScheduleUpdate();
                break;
            case 0x0C:
            case 0x0D:
                break;
            default:
                ram[reg] = value;
                break;
        }
    }

    private void SetField(int reg, byte raw)
    {
        DateTime t = Now;
        int v = reg == 0x04 ? DecodeHour(raw) : Decode(raw);
        try
        {
            DateTime n = reg switch
            {
                0x00 => new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, Math.Clamp(v, 0, 59), DateTimeKind.Utc),
                0x02 => new DateTime(t.Year, t.Month, t.Day, t.Hour, Math.Clamp(v, 0, 59), t.Second, DateTimeKind.Utc),
                0x04 => new DateTime(t.Year, t.Month, t.Day, Math.Clamp(v, 0, 23), t.Minute, t.Second, DateTimeKind.Utc),
                0x07 => new DateTime(t.Year, t.Month, Math.Clamp(v, 1, DateTime.DaysInMonth(t.Year, t.Month)), t.Hour, t.Minute, t.Second, DateTimeKind.Utc),
                0x08 => new DateTime(t.Year, Math.Clamp(v, 1, 12), Math.Min(t.Day, DateTime.DaysInMonth(t.Year, Math.Clamp(v, 1, 12))), t.Hour, t.Minute, t.Second, DateTimeKind.Utc),
                0x09 => new DateTime(((t.Year / 100) * 100) + Math.Clamp(v, 0, 99), t.Month, Math.Min(t.Day, 28), t.Hour, t.Minute, t.Second, DateTimeKind.Utc),
                _ => new DateTime(Math.Clamp(v, 1, 99) * 100 + (t.Year % 100), t.Month, Math.Min(t.Day, 28), t.Hour, t.Minute, t.Second, DateTimeKind.Utc),
            };
            baseTicks += n.Ticks - t.Ticks;
        }
        catch (ArgumentOutOfRangeException)
        {
            // A nonsense date from the guest leaves the clock as it was.
        }
    }

    private byte Encode(int v) => Binary ? (byte)v : (byte)(((v / 10) << 4) | (v % 10));

    private int Decode(byte raw) => Binary ? raw : ((raw >> 4) * 10) + (raw & 0xF);

    private byte EncodeHour(int hour)
    {
        if (Hour24)
        {
            return Encode(hour);
        }

        int h12 = hour % 12 == 0 ? 12 : hour % 12;
        return (byte)(Encode(h12) | (hour >= 12 ? 0x80 : 0));
    }

    private int DecodeHour(byte raw)
    {
        if (Hour24)
        {
            return Decode(raw);
        }

        int h = Decode((byte)(raw & 0x7F)) % 12;
        return (raw & 0x80) != 0 ? h + 12 : h;
    }

    /// <summary>Period of the periodic interrupt from register A's rate bits (rates 1 and 2 alias 8 and 9), or 0.</summary>
    public long PeriodicIntervalNs
    {
        get
        {
            int rate = regA & 0xF;
            if (rate == 0)
            {
                return 0;
            }

            if (rate < 3)
            {
                rate += 7;
            }

            long hz = 65536 >> rate;
            return NsPerSecond / hz;
        }
    }

    private void SchedulePeriodic()
    {
        long period = PeriodicIntervalNs;
        if ((regB & 0x40) == 0 || period == 0)
        {
            periodicTimer.Disarm();
            return;
        }

        long now = clock.NowNs;
        periodicTimer.Arm(((now / period) + 1) * period);
    }

    private void ScheduleUpdate()
    {
        if ((regB & 0x10) == 0)
        {
            updateTimer.Disarm();
            return;
        }

        updateTimer.Arm(((clock.NowNs / NsPerSecond) + 1) * NsPerSecond);
    }

    private void OnPeriodic(long due)
    {
        Raise(0x40);
        long period = PeriodicIntervalNs;
        if ((regB & 0x40) != 0 && period > 0)
        {
            periodicTimer.Arm(due + period);
        }
    }

    private void OnUpdate(long due)
    {
        Raise(0x10);
        if ((regB & 0x10) != 0)
        {
            updateTimer.Arm(due + NsPerSecond);
        }
    }

    private void Raise(byte flag)
    {
        regC |= flag;
        if ((regB & flag) != 0 && (regC & 0x80) == 0)
        {
            regC |= 0x80;
            Interrupts++;
            irq.Set(true);
        }
    }
}
