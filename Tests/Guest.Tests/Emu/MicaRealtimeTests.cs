using Devices.Timing;
using Emulator.Boot;
using Emulator.Machines;
using TestSupport;

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
        string initfs = RepoPaths.GuestImage("initfs.tar");
        var config = new MachineConfiguration
        {
            KernelPath = RepoPaths.GuestImage("mica.elf"),
            Modules = [new MultibootModule(initfs, initfs)],
            CommandLine = "test=" + test,
            ClockMode = ClockMode.Realtime,
        };
        using var machine = new Machine(config);
        RunResult result = machine.RunUntil(RunCondition.Timeout(TimeSpan.FromSeconds(120)));
        Assert.True(result.Cause == StopCause.DebugExit, $"emu stopped: {result.Cause}; COM1 said:\n{machine.SerialTranscript}");
        Assert.True(machine.SerialTranscript.Contains($"TEST {test}: PASS", StringComparison.Ordinal), "COM1 said:\n" + machine.SerialTranscript);
    }
}
