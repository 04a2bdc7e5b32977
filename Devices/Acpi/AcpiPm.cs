using Devices.Timing;
using Mmu.Io;

namespace Devices.Acpi;

/// <summary>
/// The ACPI fixed-hardware power-management registers at QEMU's pc machine addresses: PM1a event
/// (status and enable) at <see cref="EventBlock"/>, PM1a control at <see cref="ControlBlock"/> and the
/// 32-bit power-management timer at <see cref="TimerBlock"/> (ACPI 6.5 section 4.8). The FADT emu
/// generates points here. SCI_EN reads as set (no SMI command port, so the platform is always in ACPI
/// mode); writing SLP_EN with SLP_TYP = <see cref="SoftOffSleepType"/> powers the machine off.
/// </summary>
public sealed class AcpiPm : IPortDevice
{
    public const ushort EventBlock = 0x600;
    public const ushort ControlBlock = 0x604;
    public const ushort TimerBlock = 0x608;
    public const int EventBlockLength = 4;
    public const int ControlBlockLength = 2;
    public const int TimerBlockLength = 4;

    /// <summary>The SLP_TYP value of the S5 (soft-off) state, as the DSDT's \_S5 package gives it.</summary>
    public const byte SoftOffSleepType = 5;

    /// <summary>The PM timer's frequency, fixed by the ACPI specification.</summary>
    public const long TimerHz = 3_579_545;

    /// <summary>The SCI's ISA IRQ (the FADT's SCI_INT).</summary>
    public const int SciIrq = 9;

    private const ushort SciEnable = 1 << 0;
    private const ushort SleepEnable = 1 << 13;
    private const int SleepTypeShift = 10;

    private readonly VirtualClock clock;
    private ushort status;
    private ushort enable;
    private ushort control = SciEnable;

    public AcpiPm(VirtualClock clock) => this.clock = clock;

    /// <summary>RESET: no status or enable bits, SCI_EN set (the platform stays in ACPI mode).</summary>
    public void Reset()
    {
        status = 0;
        enable = 0;
        control = SciEnable;
    }

    /// <summary>Raised when the guest enters S5 (an ACPI power-off).</summary>
    public event Action? PoweredOff;

    public void Register(PortSpace ports)
    {
        ports.Register(EventBlock, EventBlockLength, this);
        ports.Register(ControlBlock, ControlBlockLength, this);
        ports.Register(TimerBlock, TimerBlockLength, this);
    }

    /// <summary>The timer's count: 32 bits of ticks at <see cref="TimerHz"/> since power-on.</summary>
    public uint TimerValue => (uint)((Int128)clock.NowNs * TimerHz / 1_000_000_000);

    public uint In(ushort port, int size)
    {
        ulong block = port >= TimerBlock ? TimerValue
            : port >= ControlBlock ? control
            : status | ((uint)enable << 16);
        int shift = 8 * (port - (port >= TimerBlock ? TimerBlock : port >= ControlBlock ? ControlBlock : EventBlock));
        ulong mask = size == 4 ? 0xFFFF_FFFFUL : (1UL << (8 * size)) - 1;
        return (uint)((block >> shift) & mask);
    }

    public void Out(ushort port, int size, uint value)
    {
        if (port >= TimerBlock)
        {
            return; // the timer is read-only
        }

        if (port >= ControlBlock)
        {
            int shift = 8 * (port - ControlBlock);
            uint mask = (size >= 2 ? 0xFFFFu : 0xFFu) << shift;
            uint merged = (control & ~mask) | ((value << shift) & mask);
            control = (ushort)((merged & ~(uint)SleepEnable) | SciEnable);
            if ((merged & SleepEnable) != 0 && ((merged >> SleepTypeShift) & 7) == SoftOffSleepType)
            {
                PoweredOff?.Invoke();
            }

            return;
        }

        // PM1 event block: status bits are cleared by writing 1, enable bits are written.
        ulong bytes = (ulong)value << (8 * (port - EventBlock));
        ulong sizeMask = (size == 4 ? 0xFFFF_FFFFUL : (1UL << (8 * size)) - 1) << (8 * (port - EventBlock));
        bytes &= sizeMask;
        status &= (ushort)~(bytes & 0xFFFF);
        if ((sizeMask >> 16) != 0)
        {
            enable = (ushort)((enable & ~(sizeMask >> 16)) | (bytes >> 16));
        }
    }
}
