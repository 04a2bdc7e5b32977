namespace Mmu.Interrupts;

/// <summary>One interrupt request line from a device to an interrupt controller input.</summary>
public interface IInterruptLine
{
    /// <summary>Drives the line high (true) or low (false). Edge-triggered inputs latch the rising edge.</summary>
    void Set(bool level);
}
