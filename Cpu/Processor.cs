using Cpu.Execution;
using Cpu.State;
using Mmu;
using Mmu.Interrupts;
using Mmu.Io;

namespace Cpu;

/// <summary>
/// One x86-64 processor: it runs guest instructions from <see cref="State"/> against a
/// <see cref="LinearMemory"/> and a <see cref="PortSpace"/>, taking interrupts from an
/// <see cref="IInterruptController"/> at instruction boundaries.
/// </summary>
public sealed class Processor
{
    public Processor(LinearMemory memory, PortSpace ports)
    {
        Memory = memory;
        Ports = ports;
    }

    public CpuState State { get; } = new();

    public LinearMemory Memory { get; }

    public PortSpace Ports { get; }

    /// <summary>Where maskable interrupts come from (the local APIC); null means none ever arrive.</summary>
    public IInterruptController? InterruptController { get; set; }

    /// <summary>Instructions retired since reset.</summary>
    public long InstructionsRetired { get; private set; }

    /// <summary>
    /// Runs until <paramref name="maxInstructions"/> have retired or something stops the CPU.
    /// Guest faults are delivered to the guest; they never escape as .NET exceptions.
    /// </summary>
    public StopReason Run(long maxInstructions)
    {
        throw new NotImplementedException("the interpreter is filed with the CPU issue");
    }

    /// <summary>Asks a running <see cref="Run"/> to return at the next instruction boundary (thread-safe).</summary>
    public void RequestStop()
    {
    }
}
