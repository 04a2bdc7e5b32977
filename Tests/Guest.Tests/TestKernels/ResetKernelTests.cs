using Cpu.Translation;
using Emulator.Cli;
using Guest.Tests.Emu;
using TestSupport;

namespace Guest.Tests.TestKernels;

/// <summary>
/// Guest/tests/reset.c resets the machine four ways, one per boot (0xCF9, port 0x92, the i8042 pulse, a triple
/// fault), counting boots in CMOS RAM. Rebooting, QEMU and emu print the whole checked-in transcript and pass;
/// under -no-reboot (emu: --no-reboot) both end at the first reset with exit status 0, after boot 0's lines.
/// </summary>
public class ResetKernelTests
{
    private const string Kernel = "reset";
    private const string FirstBootOnly = "boot: 0\nreset through 0xcf9\n";

    [Fact]
    public void QemuRebootsThroughEveryPath()
    {
        ProcessResult r = Qemu.RunKernel(TestKernelTranscript.Image(Kernel), timeout: TimeSpan.FromSeconds(30), reboot: true);
        Assert.False(r.TimedOut, "reset timed out on QEMU; it printed:\n" + r.StandardOutput);
        TestKernelTranscript.AssertPassed(Kernel, r.StandardOutput, r.ExitCode);
    }

    [Fact]
    public void QemuWithNoRebootEndsAtTheFirstReset()
    {
        ProcessResult r = Qemu.RunKernel(TestKernelTranscript.Image(Kernel), timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(FirstBootOnly, r.StandardOutput.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(JitModes.Both), MemberType = typeof(JitModes))]
    public void EmuRebootsThroughEveryPath(JitMode jit)
    {
        (int exit, string serial) = RunEmu(jit);
        TestKernelTranscript.AssertPassed(Kernel, serial, exit);
    }

    [Theory]
    [InlineData("--no-reboot")]
    [InlineData("-no-reboot")]
    public void EmuWithNoRebootEndsAtTheFirstReset(string flag)
    {
        (int exit, string serial) = RunEmu(JitMode.Off, flag);
        Assert.Equal(ExitStatus.GuestStopped, exit);
        Assert.Equal(FirstBootOnly, serial);
    }

    private static (int Exit, string Serial) RunEmu(JitMode jit, params string[] extra) => TestKernelTranscript.RunOnEmu(Kernel, jit, extra);
}
