using Devices.Timing;
using Emulator.Machines;

namespace Guest.Tests.Emu;

/// <summary>
/// Deterministic mode's promise on a real workload: two boots of Mica running `test=ipc` (timer
/// preemption, IPC, several processes, the serial driver's interrupts) print the same COM1 transcript
/// and end with the same counters, instruction for instruction.
/// </summary>
public class MicaDeterminismTests
{
    [Fact]
    public void TwoDeterministicBootsOfMicaAreIdentical()
    {
        (string Transcript, string Counters) first = Boot();
        (string Transcript, string Counters) second = Boot();
        Assert.Contains("TEST ipc: PASS", first.Transcript);
        Assert.Equal(first.Transcript, second.Transcript);
        Assert.Equal(first.Counters, second.Counters);
    }

    private static (string Transcript, string Counters) Boot()
    {
        MachineConfiguration config = MicaMachine.Configuration(ClockMode.Deterministic, "test=ipc");
        using var machine = new Machine(config);
        RunResult result = machine.RunUntil(RunCondition.Timeout(TimeSpan.FromSeconds(120)));
        Assert.Equal(StopCause.DebugExit, result.Cause);
        return (machine.SerialTranscript, result.Counters.WithoutHostTiming().ToText());
    }
}
