namespace Cpu.System;

/// <summary>
/// Delivers exceptions and interrupts through the IDT. Placeholder: the system-instructions helper
/// replaces this file; until then every delivery stops the machine as a triple fault.
/// </summary>
public static class InterruptDelivery
{
    /// <summary>
    /// Delivers <paramref name="vector"/>. For faults RIP points at the faulting instruction, for traps
    /// and software interrupts past it. <paramref name="software"/> marks INT n/INT3/INTO.
    /// </summary>
    public static void Deliver(Processor cpu, int vector, uint? errorCode, bool software)
    {
        cpu.SignalTripleFault($"exception/interrupt {vector} (error code {errorCode?.ToString("X") ?? "none"}) with no IDT delivery implemented");
    }
}
