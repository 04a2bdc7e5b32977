using Devices.Interrupts;
using Mmu.Interrupts;
using Mmu.Io;

namespace Devices.Apic;

/// <summary>
/// The I/O APIC at 0xFEC00000 (82093AA): IOREGSEL at offset 0, IOWIN at 0x10; ID, version (24 entries)
/// and arbitration registers; a 24-entry redirection table (vector, fixed/lowest-priority delivery,
/// physical or logical destination, masking, edge or level triggering with remote IRR cleared by the
/// local APIC's EOI broadcast). An edge that arrives while its entry is masked is dropped, as on the
/// 82093AA and as QEMU 7.2 behaves (Guest/tests/ioapic.c); input polarity is not modelled (ISA lines are
/// active high).
/// </summary>
public sealed class IoApic : IMmioDevice
{
    public const ulong DefaultBase = 0xFEC0_0000;
    public const int Pins = 24;
    public const uint Version = 0x0017_0020; // 24 entries (max index 23), version 0x20 as QEMU's

    private const ulong Masked = 1UL << 16;
    private const ulong RemoteIrr = 1UL << 14;
    private const ulong LevelTriggered = 1UL << 15;

    private readonly ulong[] redirection = new ulong[Pins];
    private readonly IInterruptLine[] lines = new IInterruptLine[Pins];
    private readonly LocalApic lapic;
    private uint select;
    private uint id;
    private int levels;
    private int pendingEdges;

    public IoApic(LocalApic lapic)
    {
        this.lapic = lapic;
        lapic.EndOfInterruptBroadcast += OnEndOfInterrupt;
        for (int i = 0; i < Pins; i++)
        {
            int pin = i;
            lines[i] = new DelegateInterruptLine(level => SetPin(pin, level));
        }

        Reset();
    }

    /// <summary>Interrupt messages sent to the local APIC, by pin.</summary>
    public long[] DeliveredByPin { get; } = new long[Pins];

    public IInterruptLine Line(int pin) => lines[pin];

    public void Register(Mmu.Physical.PhysicalBus bus) => bus.RegisterMmio(DefaultBase, 0x1000, this);

    public void Reset()
    {
        for (int i = 0; i < Pins; i++)
        {
            redirection[i] = Masked;
        }

        select = 0;
        id = 0;
        levels = 0;
        pendingEdges = 0;
    }

    /// <summary>The redirection entry of <paramref name="pin"/> (tests, diagnostics).</summary>
    public ulong RedirectionEntry(int pin) => redirection[pin];

    public void SetPin(int pin, bool level)
    {
        int mask = 1 << pin;
        bool rising = level && (levels & mask) == 0;
        levels = level ? levels | mask : levels & ~mask;
        if ((redirection[pin] & LevelTriggered) != 0)
        {
            Service(pin);
        }
        else if (rising && (redirection[pin] & Masked) == 0)
        {
            pendingEdges |= mask;
            Service(pin);
        }
    }

    public ulong Read(ulong offset, int size)
    {
        uint value = (offset & 0xF0) switch
        {
            0x00 => select,
            0x10 => ReadRegister(select),
            _ => 0,
        };
        int shift = (int)(offset & 3) * 8;
        ulong v = value >> shift;
        return size >= 4 ? v : v & ((1UL << (size * 8)) - 1);
    }

    public void Write(ulong offset, int size, ulong value)
    {
        switch (offset & 0xF0)
        {
            case 0x00:
                select = (uint)value & 0xFF;
                break;
            case 0x10:
                WriteRegister(select, (uint)value);
                break;
        }
    }

    private uint ReadRegister(uint reg)
    {
        switch (reg)
        {
            case 0x00: return id;
            case 0x01: return Version;
            case 0x02: return id;
            case >= 0x10 and < 0x10 + (2 * Pins):
                ulong entry = redirection[(reg - 0x10) >> 1];
                return (reg & 1) == 0 ? (uint)entry : (uint)(entry >> 32);
            default:
                return 0xFFFF_FFFF;
        }
    }

    private void WriteRegister(uint reg, uint value)
    {
        if (reg == 0x00)
        {
            id = value & 0x0F00_0000;
            return;
        }

        if (reg is < 0x10 or >= 0x10 + (2 * Pins))
        {
            return;
        }

        int pin = (int)((reg - 0x10) >> 1);
        ulong entry = redirection[pin];
        if ((reg & 1) == 0)
        {
            // Delivery status (bit 12) and remote IRR (bit 14) are read-only.
            const ulong readOnly = (1UL << 12) | RemoteIrr;
            entry = (entry & (0xFFFF_FFFF_0000_0000UL | readOnly)) | (value & ~readOnly & 0xFFFF_FFFFUL);
            if ((entry & LevelTriggered) == 0)
            {
                entry &= ~RemoteIrr;
            }
        }
        else
        {
            entry = (entry & 0xFFFF_FFFFUL) | ((ulong)value << 32);
        }

        redirection[pin] = entry;
        Service(pin);
    }

    private void Service(int pin)
    {
        ulong entry = redirection[pin];
        if ((entry & Masked) != 0)
        {
            return;
        }

        int mask = 1 << pin;
        bool level = (entry & LevelTriggered) != 0;
        if (level)
        {
            if ((levels & mask) == 0 || (entry & RemoteIrr) != 0)
            {
                return;
            }

            redirection[pin] = entry | RemoteIrr;
        }
        else
        {
            if ((pendingEdges & mask) == 0)
            {
                return;
            }

            pendingEdges &= ~mask;
        }

        Deliver(pin, entry, level);
    }

    private void Deliver(int pin, ulong entry, bool level)
    {
        int mode = (int)((entry >> 8) & 7);
        bool logical = (entry & (1UL << 11)) != 0;
        if (!lapic.MatchesDestination((uint)(entry >> 56), logical))
        {
            return;
        }

        DeliveredByPin[pin]++;
        switch (mode)
        {
            case 0: // fixed
            case 1: // lowest priority: one CPU, the same thing
                lapic.AcceptInterrupt((int)(entry & 0xFF), level);
                break;
            default:
                // SMI, NMI, INIT and ExtINT through the IOAPIC are not modelled.
                break;
        }
    }

    private void OnEndOfInterrupt(int vector)
    {
        for (int pin = 0; pin < Pins; pin++)
        {
            ulong entry = redirection[pin];
            if ((entry & RemoteIrr) != 0 && (int)(entry & 0xFF) == vector)
            {
                redirection[pin] = entry & ~RemoteIrr;
                Service(pin);
            }
        }
    }
}
