using Devices.Timing;
using Mmu.Interrupts;
using Mmu.Io;

namespace Devices.Pit;

/// <summary>
/// The 8254 programmable interval timer at 0x40-0x43: three counters on a 1.193182 MHz clock. Channel 0's
/// OUT drives IRQ 0 (an edge on each rising OUT, scheduled on the virtual clock); channel 2's gate and OUT
/// are reached through port 0x61 (<see cref="SystemControlPort"/>). Modes 0, 2 and 3 are exact; the
/// latch command and the read-back command are supported; BCD counting is not.
/// </summary>
public sealed class Pit8254 : IPortDevice
{
    public const ushort BasePort = 0x40;

    private readonly VirtualClock clock;
    private readonly IInterruptLine irq0;
    private readonly ClockTimer timer;
    private readonly PitChannel[] channels;

    public Pit8254(VirtualClock clock, IInterruptLine irq0)
    {
        this.clock = clock;
        this.irq0 = irq0;
        channels = new PitChannel[3];
        for (int i = 0; i < channels.Length; i++)
        {
            channels[i] = new PitChannel(i, () => clock.NowNs, gate: i != 2); // channel 2's gate is port 0x61 bit 0
        }

        timer = clock.CreateTimer("pit", Fire);
        channels[0].Reprogrammed += Schedule;
    }

    /// <summary>IRQ 0 edges raised by channel 0.</summary>
    public long Interrupts { get; private set; }

    public PitChannel Channel(int index) => channels[index];

    public void Register(PortSpace ports) => ports.Register(BasePort, 4, this);

    /// <summary>RESET: the three counters as at power-up (no mode, no count, not counting), no IRQ 0 scheduled.</summary>
    public void Reset()
    {
        timer.Disarm();
        channels[0].Reprogrammed -= Schedule;
        for (int i = 0; i < channels.Length; i++)
        {
            channels[i] = new PitChannel(i, () => clock.NowNs, gate: i != 2);
        }

        channels[0].Reprogrammed += Schedule;
    }

    public uint In(ushort port, int size)
    {
        int index = port - BasePort;
        return index == 3 ? 0xFFu : channels[index].ReadData();
    }

    public void Out(ushort port, int size, uint value)
    {
        int index = port - BasePort;
        byte b = (byte)value;
        if (index < 3)
        {
            channels[index].WriteData(b);
            return;
        }

        int select = b >> 6;
        if (select < 3)
        {
            channels[select].WriteControl(b);
            return;
        }

        // Read-back: bit 5 clear latches counts, bit 4 clear latches status, bits 1-3 select counters.
        for (int i = 0; i < 3; i++)
        {
            if ((b & (2 << i)) == 0)
            {
                continue;
            }

            if ((b & 0x10) == 0)
            {
                channels[i].LatchStatus();
            }

            if ((b & 0x20) == 0)
            {
                channels[i].LatchCount();
            }
        }
    }

    private void Schedule()
    {
        PitChannel c = channels[0];
        long next = c.NextRisingEdge(c.ElapsedTicks);
        if (next < 0)
        {
            timer.Disarm();
            return;
        }

        timer.Arm(c.TimeOfTick(next));
    }

    private void Fire(long due)
    {
        Interrupts++;
        irq0.Set(true);
        irq0.Set(false);
        PitChannel c = channels[0];
        long ticks = PitChannel.NsToTicks(due - c.TimeOfTick(0));
        long next = c.NextRisingEdge(ticks);
        if (next >= 0)
        {
            timer.Arm(Math.Max(c.TimeOfTick(next), due + 1));
        }
    }
}
