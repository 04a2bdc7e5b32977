using Mmu.Interrupts;

namespace Devices.Interrupts;

/// <summary>
/// The ISA IRQ lines of a PC: each drives an 8259 input and an IOAPIC pin, as on QEMU's pc machine
/// (IRQ 0, the PIT, arrives at IOAPIC pin 2 through the MADT's interrupt source override).
/// </summary>
public sealed class IsaInterruptRouter
{
    private readonly IInterruptLine[] lines = new IInterruptLine[16];

    public IsaInterruptRouter(Func<int, IInterruptLine> pic, Func<int, IInterruptLine>? ioApic)
    {
        for (int i = 0; i < 16; i++)
        {
            IInterruptLine p = pic(i);
            IInterruptLine? a = ioApic?.Invoke(i == 0 ? 2 : i);
            lines[i] = a is null ? p : new DelegateInterruptLine(level =>
            {
                p.Set(level);
                a.Set(level);
            });
        }
    }

    /// <summary>ISA IRQ <paramref name="irq"/> (0-15).</summary>
    public IInterruptLine Line(int irq) => lines[irq];
}
