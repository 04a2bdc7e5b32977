using Cpu.Translation;
using Devices.Timing;
using Emulator.Boot;
using Emulator.Machines;
using TestSupport;

namespace Guest.Tests.Emu;

/// <summary>
/// Boots a guest image on emu in-process, the way `emu run KERNEL --initrd FILE --append STR
/// --display none --clock deterministic --jit MODE` does, and hands back what COM1 printed and the exit status
/// in the shape QEMU runs give (<see cref="ProcessResult"/>), so one assertion serves both platforms.
/// </summary>
public static class EmuRunner
{
    /// <summary>
    /// Runs until the guest leaves through isa-debug-exit (or stops otherwise, or the wall timeout
    /// passes). With <paramref name="afterLine"/>, once COM1 prints a line matching it,
    /// <paramref name="then"/> runs (to type keys, say) and the run goes on. <paramref name="jit"/> is
    /// `--jit`: the guest tests run under <see cref="JitMode.Off"/> and <see cref="JitMode.Always"/>.
    /// <paramref name="drives"/> are `--drive` disks. <paramref name="times"/> is how many times the line is waited
    /// for and <paramref name="then"/> run (a guest that reboots prints it again); <paramref name="noReboot"/> is
    /// `--no-reboot`.
    /// </summary>
    public static ProcessResult RunKernel(string kernel, string? initrd = null, string? append = null, TimeSpan? timeout = null,
        string? afterLine = null, Action<Machine>? then = null, JitMode jit = JitMode.On, IReadOnlyList<DriveConfiguration>? drives = null,
        int times = 1, bool noReboot = false)
    {
        var config = new MachineConfiguration
        {
            KernelPath = kernel,
            Modules = initrd is null ? [] : [new MultibootModule(initrd, initrd)],
            CommandLine = append ?? string.Empty,
            ClockMode = ClockMode.Deterministic,
            Jit = jit,
            Drives = drives ?? [],
            NoReboot = noReboot,
        };
        using var machine = new Machine(config);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        RunResult result;
        for (int i = 0; afterLine is not null && i < times; i++)
        {
            result = machine.RunUntil(RunCondition.SerialLineMatches(afterLine) with { WallTimeout = Remaining(deadline) });
            if (result.Cause != StopCause.SerialLineMatched)
            {
                return Finish(machine, result);
            }

            then?.Invoke(machine);
        }

        result = machine.RunUntil(RunCondition.Timeout(Remaining(deadline)));
        return Finish(machine, result);
    }

    private static TimeSpan Remaining(DateTime deadline)
    {
        TimeSpan left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
    }

    private static ProcessResult Finish(Machine machine, RunResult result)
    {
        int exit = result.DebugExitStatus ?? -1;
        string reason = result.Cause == StopCause.DebugExit ? string.Empty : $"emu stopped: {result.Cause}";
        return new ProcessResult(exit, machine.SerialTranscript, reason, result.Cause == StopCause.Timeout);
    }
}
