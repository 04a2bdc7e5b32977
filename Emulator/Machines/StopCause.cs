namespace Emulator.Machines;

/// <summary>Why a run ended.</summary>
public enum StopCause
{
    /// <summary>The guest wrote isa-debug-exit.</summary>
    DebugExit,

    /// <summary>The guest halted with interrupts off, or with nothing left that could wake it.</summary>
    Halted,

    /// <summary>The guest (0xCF9, port 0x92, the i8042's pulse) or the host asked for a reset under <see cref="MachineConfiguration.NoReboot"/>.</summary>
    Reset,

    /// <summary>The guest powered off through ACPI (sleep state S5).</summary>
    PowerOff,

    /// <summary>A triple fault under <see cref="MachineConfiguration.NoReboot"/> (otherwise it resets the machine).</summary>
    TripleFault,

    /// <summary>A serial line matched the run condition.</summary>
    SerialLineMatched,

    /// <summary>The instruction limit of the run condition was reached.</summary>
    InstructionLimit,

    /// <summary>The virtual or wall-clock timeout passed.</summary>
    Timeout,

    /// <summary>Someone called <see cref="Machine.RequestStop"/>.</summary>
    StopRequested,
}
