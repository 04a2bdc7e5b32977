using Mmu.Interrupts;

namespace Devices.Interrupts;

/// <summary>An interrupt line whose level changes call a function (wiring between devices).</summary>
public sealed class DelegateInterruptLine(Action<bool> set) : IInterruptLine
{
    public void Set(bool level) => set(level);
}
