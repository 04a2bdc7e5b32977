using Devices.Interrupts;
using Mmu.Interrupts;
using Mmu.Io;

namespace Devices.Pic;

/// <summary>
/// The PC's two cascaded 8259As: the master at 0x20/0x21 (IRQ 0-7), the slave at 0xA0/0xA1 (IRQ 8-15)
/// on the master's input 2. Its INT output goes to the local APIC's LINT0 (ExtINT), which asks
/// <see cref="AcknowledgeInterrupt"/> for the vector. Spurious requests give IRQ 7 or 15 without ISR bits.
/// </summary>
public sealed class PicPair : IPortDevice, IExternalInterruptSource
{
    public const ushort MasterPort = 0x20;
    public const ushort SlavePort = 0xA0;

    private readonly IInterruptLine[] lines = new IInterruptLine[16];

    public PicPair()
    {
        for (int i = 0; i < 16; i++)
        {
            int irq = i;
            lines[i] = new DelegateInterruptLine(level => SetIrq(irq, level));
        }
    }

    public Pic8259 Master { get; } = new(isMaster: true);

    public Pic8259 Slave { get; } = new(isMaster: false);

    /// <summary>Interrupts delivered to the CPU, by IRQ (spurious ones not included).</summary>
    public long[] DeliveredByIrq { get; } = new long[16];

    /// <summary>Spurious acknowledges (IRQ 7 or 15 with nothing in service).</summary>
    public long Spurious { get; private set; }

    /// <summary>The request line of ISA IRQ <paramref name="irq"/> (0-15).</summary>
    public IInterruptLine Line(int irq) => lines[irq];

    public void Register(PortSpace ports)
    {
        ports.Register(MasterPort, 2, this);
        ports.Register(SlavePort, 2, this);
    }

    public void SetIrq(int irq, bool level)
    {
        if (irq < 8)
        {
            Master.SetLine(irq, level);
        }
        else
        {
            Slave.SetLine(irq - 8, level);
            UpdateCascade();
        }
    }

    /// <summary>The master's INT output.</summary>
    public bool HasInterrupt
    {
        get
        {
            UpdateCascade();
            return Master.InterruptOutput;
        }
    }

    /// <summary>The INTA cycle: the vector of the highest-priority request (or a spurious 7/15).</summary>
    public int AcknowledgeInterrupt()
    {
        UpdateCascade();
        int irq = Master.Acknowledge(out bool spurious);
        if (spurious)
        {
            Spurious++;
            return Master.VectorBase + 7;
        }

        if ((Master.Icw3 & (1 << irq)) != 0 && irq == 2)
        {
            int slaveIrq = Slave.Acknowledge(out bool slaveSpurious);
            UpdateCascade();
            if (slaveSpurious)
            {
                Spurious++;
                return Slave.VectorBase + 7;
            }

            DeliveredByIrq[8 + slaveIrq]++;
            return Slave.VectorBase + slaveIrq;
        }

        DeliveredByIrq[irq]++;
        return Master.VectorBase + irq;
    }

    public uint In(ushort port, int size)
    {
        byte v = port switch
        {
            MasterPort => Master.Read(0),
            MasterPort + 1 => Master.Read(1),
            SlavePort => Slave.Read(0),
            _ => Slave.Read(1),
        };
        UpdateCascade();
        return v;
    }

    public void Out(ushort port, int size, uint value)
    {
        switch (port)
        {
            case MasterPort: Master.Write(0, (byte)value); break;
            case MasterPort + 1: Master.Write(1, (byte)value); break;
            case SlavePort: Slave.Write(0, (byte)value); break;
            default: Slave.Write(1, (byte)value); break;
        }

        UpdateCascade();
    }

    public void Reset()
    {
        Master.Reset();
        Slave.Reset();
    }

    // The cascade input is a level: it stays requested while the slave's INT output is high.
    private void UpdateCascade() => Master.CascadeLevels = (byte)(Slave.InterruptOutput ? 1 << 2 : 0);
}
