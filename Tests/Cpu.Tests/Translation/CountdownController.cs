using Mmu.Interrupts;

namespace Cpu.Tests.Translation;

/// <summary>An interrupt controller whose interrupt becomes pending after the CPU has polled it <c>polls</c> times.</summary>
public sealed class CountdownController(int polls, int vector) : IInterruptController
{
    private int remaining = polls;

    public bool HasPendingInterrupt => --remaining < 0;

    public ulong TaskPriority { get; set; }

    public int Acknowledge()
    {
        remaining = int.MaxValue;
        return vector;
    }
}
