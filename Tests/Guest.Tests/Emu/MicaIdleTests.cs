using Devices.Timing;
using Emulator.Machines;

namespace Guest.Tests.Emu;

/// <summary>
/// An idle Mica is woken only by what it waits for (issue 14's idle goal): the kernel stops its 1 kHz tick in idle
/// and programs one LAPIC shot at the first sleeper's deadline, and the supervisor `rs` ticks only while a restart
/// waits out its back-off. Counted on the deterministic clock, so the figure is exact and host-independent; a
/// periodic tick in idle shows as about 1,000 timer interrupts per second.
/// </summary>
public class MicaIdleTests
{
    [Fact]
    public void TheIdleShellTakesAlmostNoInterrupts()
    {
        MachineConfiguration config = MicaMachine.Configuration(ClockMode.Deterministic);
        using var machine = new Machine(config);
        RunResult booted = machine.RunUntil(RunCondition.SerialLineMatches("ext2fs. no disk") with { WallTimeout = TimeSpan.FromSeconds(120) });
        Assert.True(booted.Cause == StopCause.SerialLineMatched, $"no shell: {booted.Cause}; COM1 said:\n{machine.SerialTranscript}");

        // Ten more virtual seconds at the prompt (the drivers' long sleeps may carry the clock further: halted
        // time skips to the next deadline).
        RunResult idle = machine.RunUntil(new RunCondition { VirtualTimeout = TimeSpan.FromTicks(booted.Counters.VirtualTimeNs / 100) + TimeSpan.FromSeconds(10), WallTimeout = TimeSpan.FromSeconds(60) });
        double seconds = (idle.Counters.VirtualTimeNs - booted.Counters.VirtualTimeNs) / 1e9;
        long timer = idle.Counters.LapicTimerInterrupts - booted.Counters.LapicTimerInterrupts;
        long interrupts = idle.Counters.InterruptsDelivered - booted.Counters.InterruptsDelivered;
        Assert.True(seconds >= 10, $"the idle run ended after {seconds:F1} virtual s: {idle.Cause}");
        Assert.True(timer <= 10 && interrupts <= 10, $"{timer} timer interrupts and {interrupts} interrupts in all in {seconds:F1} idle virtual seconds");
    }
}
