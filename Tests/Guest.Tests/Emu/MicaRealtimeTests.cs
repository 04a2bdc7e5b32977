using Devices.Timing;
using Emulator.Machines;

namespace Guest.Tests.Emu;

/// <summary>
/// Mica under `--clock realtime`, where guest time is the host's wall clock and the emulator is far
/// slower than the hardware the kernel calibrates for: the boot must still reach the shell (a kernel
/// that spends a tick's worth of instructions on every context switch livelocks here, which the
/// deterministic clock hides). Only the boot is checked here: timing tests such as `test=sched`
/// depend on the host's speed under the wall clock and run on the deterministic clock instead.
/// </summary>
public class MicaRealtimeTests
{
    [Fact]
    public void MicaBootsOnTheWallClock()
    {
        const string test = "boot";
        MachineConfiguration config = MicaMachine.Configuration(ClockMode.Realtime, "test=" + test);
        using var machine = new Machine(config);
        RunResult result = machine.RunUntil(RunCondition.Timeout(TimeSpan.FromSeconds(120)));
        Assert.True(result.Cause == StopCause.DebugExit, $"emu stopped: {result.Cause}; COM1 said:\n{machine.SerialTranscript}");
        Assert.True(machine.SerialTranscript.Contains($"TEST {test}: PASS", StringComparison.Ordinal), "COM1 said:\n" + machine.SerialTranscript);
    }
    /// <summary>
    /// The idle shell on the wall clock sleeps the host thread in HLT (issue 14 item 2): halted time is counted and
    /// the machine's CPU time per wall second is small. The bound is generous (the measured figure is in
    /// docs/PERFORMANCE.md, about 5 %); a spinning HLT costs about 100 %.
    /// </summary>
    [Fact]
    public void IdleShellLeavesTheHostIdle()
    {
        if (!File.Exists("/proc/thread-self/schedstat"))
        {
            Assert.Skip("needs Linux's per-thread CPU time (/proc/thread-self/schedstat)");
        }

        MachineConfiguration config = MicaMachine.Configuration(ClockMode.Realtime);
        using var machine = new Machine(config);
        RunResult booted = machine.RunUntil(RunCondition.SerialLineMatches("fbd. ready") with { WallTimeout = TimeSpan.FromSeconds(120) });
        Assert.True(booted.Cause == StopCause.SerialLineMatched, $"no shell: {booted.Cause}; COM1 said:\n{machine.SerialTranscript}");
        machine.RunUntil(RunCondition.Timeout(TimeSpan.FromSeconds(1))); // let the drivers settle

        long haltedBefore = machine.Counters.HaltedNs;
        TimeSpan cpuBefore = ThisThreadCpuTime();
        var wall = System.Diagnostics.Stopwatch.StartNew();
        RunResult idle = machine.RunUntil(RunCondition.Timeout(TimeSpan.FromSeconds(3)));
        double cpuShare = (ThisThreadCpuTime() - cpuBefore).TotalSeconds / wall.Elapsed.TotalSeconds;

        Assert.Equal(StopCause.Timeout, idle.Cause);
        Assert.True(idle.Counters.HaltedNs - haltedBefore > 1_000_000_000, $"halted only {(idle.Counters.HaltedNs - haltedBefore) / 1e6:F0} ms of 3 s");
        Assert.True(cpuShare < 0.5, $"the idle machine thread used {cpuShare:P0} of a core");
    }

    /// <summary>CPU time of the calling thread (Linux: the first field of schedstat, in nanoseconds).</summary>
    private static TimeSpan ThisThreadCpuTime() =>
        TimeSpan.FromTicks(long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 100);
}
