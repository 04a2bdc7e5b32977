namespace Devices.Pic;

/// <summary>
/// One 8259A programmable interrupt controller: eight edge-triggered request inputs, the IRR/ISR/IMR
/// registers, the ICW1-4 initialisation sequence and OCW1-3 (EOI incl. specific and rotating, special
/// mask mode, poll, register read select). Level-triggered inputs (ELCR) are not modelled.
/// </summary>
public sealed class Pic8259
{
    private int lineLevels;
    private int initStep; // 0 = operational; 2, 3, 4 = the ICW expected next
    private bool needIcw4;
    private bool singleMode;
    private bool readIsr;
    private bool pollPending;
    private bool specialMask;
    private bool rotateOnAutoEoi;
    private int lowestPriority = 7;

    public Pic8259(bool isMaster)
    {
        IsMaster = isMaster;
        Reset();
    }

    public bool IsMaster { get; }

    /// <summary>Interrupt request register.</summary>
    public byte Irr { get; private set; }

    /// <summary>In-service register.</summary>
    public byte Isr { get; private set; }

    /// <summary>Interrupt mask register (OCW1).</summary>
    public byte Imr { get; private set; }

    /// <summary>Vector of input 0 (ICW2, low three bits zero).</summary>
    public byte VectorBase { get; private set; }

    /// <summary>ICW3: on the master, the inputs with a slave; on a slave, its cascade identity.</summary>
    public byte Icw3 { get; private set; }

    /// <summary>ICW4 auto-EOI: the ISR bit is not set on acknowledge.</summary>
    public bool AutoEoi { get; private set; }

    /// <summary>Inputs whose request is the level of a cascaded slave's output (set by the pair).</summary>
    public byte CascadeLevels { get; set; }

    /// <summary>Power-on state: unprogrammed, all registers clear (as QEMU resets it).</summary>
    public void Reset()
    {
        Irr = 0;
        Isr = 0;
        Imr = 0;
        VectorBase = 0;
        Icw3 = 0;
        AutoEoi = false;
        initStep = 0;
        needIcw4 = false;
        singleMode = false;
        readIsr = false;
        pollPending = false;
        specialMask = false;
        rotateOnAutoEoi = false;
        lowestPriority = 7;
        lineLevels = 0;
    }

    /// <summary>Drives input <paramref name="irq"/> (0-7): a rising edge latches a request in IRR.</summary>
    public void SetLine(int irq, bool level)
    {
        int mask = 1 << irq;
        if (level)
        {
            if ((lineLevels & mask) == 0)
            {
                Irr |= (byte)mask;
            }

            lineLevels |= mask;
        }
        else
        {
            lineLevels &= ~mask;
        }
    }

    private byte Requests => (byte)(Irr | CascadeLevels);

    /// <summary>The INT output: a request that is unmasked and of higher priority than any in service.</summary>
    public bool InterruptOutput => PendingInput() >= 0;

    /// <summary>The input that would be acknowledged next, or -1.</summary>
    public int PendingInput()
    {
        int pending = Requests & ~Imr;
        if (pending == 0)
        {
            return -1;
        }

        int best = HighestPriority(pending);
        // Special mask mode lets lower priorities through while a higher one is in service.
        int inService = specialMask ? Isr & ~Imr : Isr;
        if (inService != 0 && PriorityOf(HighestPriority(inService)) <= PriorityOf(best))
        {
            return -1;
        }

        return best;
    }

    /// <summary>INTA: accepts the highest request and returns its input, or 7 for a spurious interrupt (nothing pending).</summary>
    public int Acknowledge(out bool spurious)
    {
        int irq = PendingInput();
        if (irq < 0)
        {
            spurious = true;
            return 7;
        }

        spurious = false;
        int mask = 1 << irq;
        Irr &= (byte)~mask;
        if (AutoEoi)
        {
            if (rotateOnAutoEoi)
            {
                lowestPriority = irq;
            }
        }
        else
        {
            Isr |= (byte)mask;
        }

        return irq;
    }

    /// <summary>Reads port offset 0 (IRR, ISR or the poll word) or 1 (IMR).</summary>
    public byte Read(int offset)
    {
        if (pollPending)
        {
            pollPending = false;
            int irq = PendingInput();
            if (irq < 0)
            {
                return 0;
            }

            Acknowledge(out _);
            return (byte)(0x80 | irq);
        }

        if (offset == 1)
        {
            return Imr;
        }

        return readIsr ? Isr : Irr;
    }

    /// <summary>Writes port offset 0 (ICW1, OCW2, OCW3) or 1 (ICW2-4, OCW1).</summary>
    public void Write(int offset, byte value)
    {
        if (offset == 0)
        {
            if ((value & 0x10) != 0)
            {
                // ICW1: restart initialisation (Intel 8259A datasheet: clears IMR, IR7 lowest priority, reads IRR).
                Irr = 0;
                Isr = 0;
                Imr = 0;
                lineLevels = 0;
                lowestPriority = 7;
                specialMask = false;
                readIsr = false;
                AutoEoi = false;
                rotateOnAutoEoi = false;
                needIcw4 = (value & 1) != 0;
                singleMode = (value & 2) != 0;
                initStep = 2;
            }
            else if ((value & 0x08) != 0)
            {
                WriteOcw3(value);
            }
            else
            {
                WriteOcw2(value);
            }

            return;
        }

        switch (initStep)
        {
            case 2:
                VectorBase = (byte)(value & 0xF8);
                initStep = singleMode ? (needIcw4 ? 4 : 0) : 3;
                break;
            case 3:
                Icw3 = value;
                initStep = needIcw4 ? 4 : 0;
                break;
            case 4:
                AutoEoi = (value & 2) != 0;
                initStep = 0;
                break;
            default:
                Imr = value;
                break;
        }
    }

    private void WriteOcw3(byte value)
    {
        if ((value & 0x40) != 0)
        {
            specialMask = (value & 0x20) != 0;
        }

        if ((value & 0x04) != 0)
        {
            pollPending = true;
        }

        if ((value & 0x02) != 0)
        {
            readIsr = (value & 0x01) != 0;
        }
    }

    private void WriteOcw2(byte value)
    {
        int command = value >> 5;
        int level = value & 7;
        switch (command)
        {
            case 0: // clear rotate in auto-EOI mode
                rotateOnAutoEoi = false;
                break;
            case 4: // set rotate in auto-EOI mode
                rotateOnAutoEoi = true;
                break;
            case 1: // non-specific EOI
            case 5: // rotate on non-specific EOI
                if (Isr != 0)
                {
                    int irq = HighestPriority(Isr);
                    Isr &= (byte)~(1 << irq);
                    if (command == 5)
                    {
                        lowestPriority = irq;
                    }
                }

                break;
            case 3: // specific EOI
                Isr &= (byte)~(1 << level);
                break;
            case 7: // rotate on specific EOI
                Isr &= (byte)~(1 << level);
                lowestPriority = level;
                break;
            case 6: // set priority
                lowestPriority = level;
                break;
            default: // 2: no operation
                break;
        }
    }

    /// <summary>0 is the highest priority; the input after <see cref="lowestPriority"/> has priority 0.</summary>
    private int PriorityOf(int irq) => (irq - lowestPriority - 1) & 7;

    private int HighestPriority(int bits)
    {
        for (int p = 0; p < 8; p++)
        {
            int irq = (lowestPriority + 1 + p) & 7;
            if ((bits & (1 << irq)) != 0)
            {
                return irq;
            }
        }

        return -1;
    }
}
