namespace Mmu.Interrupts;

/// <summary>
/// What the CPU sees of the interrupt controllers (the local APIC, which forwards the 8259's ExtINT).
/// The CPU asks between instructions whether a maskable interrupt is pending and, when RFLAGS.IF
/// allows, acknowledges it to learn its vector. Lives here because Cpu and Devices both depend on Mmu
/// and on nothing else.
/// </summary>
public interface IInterruptController
{
    /// <summary>True when a maskable interrupt is waiting to be delivered.</summary>
    bool HasPendingInterrupt { get; }

    /// <summary>Accepts the highest-priority pending interrupt and returns its vector (INTA cycle).</summary>
    int Acknowledge();

    /// <summary>CR8 is the task-priority register's priority class (Intel SDM 10.8.6.1).</summary>
    ulong TaskPriority { get; set; }
}
