using Cpu.Translation;
using Emulator.Cli;
using Guest.Tests.Emu;
using TestSupport;

namespace Guest.Tests.TestKernels;

/// <summary>
/// Guest/tests/msr.c: the SYSENTER MSRs and SYSENTER/SYSEXIT, PAT, MISC_ENABLE, MTRRcap as CPUID says, TSC_AUX
/// through RDTSCP and INVLPG of a non-canonical address. QEMU runs it with an Intel CPU model (-cpu Skylake-Client):
/// its default qemu64 is AMD-flavoured, where SYSENTER in long mode and RDTSCP are #UD.
/// </summary>
public class MsrKernelTests
{
    private const string Kernel = "msr";

    [Fact]
    public void QemuWithAnIntelModelPassesWithTheExpectedTranscript()
    {
        ProcessResult r = Qemu.RunKernel(TestKernelTranscript.Image(Kernel), timeout: TimeSpan.FromSeconds(20), extraArgs: ["-cpu", "Skylake-Client"]);
        Assert.False(r.TimedOut, "msr timed out on QEMU; it printed:\n" + r.StandardOutput);
        TestKernelTranscript.AssertPassed(Kernel, r.StandardOutput, r.ExitCode);
    }

    [Theory]
    [MemberData(nameof(JitModes.Both), MemberType = typeof(JitModes))]
    public void EmuPassesWithTheExpectedTranscript(JitMode jit)
    {
        string serial = Path.Combine(Path.GetTempPath(), $"emu-msr-{jit}-{Guid.NewGuid():N}.txt");
        try
        {
            int exit = CommandLine.Run(["run", TestKernelTranscript.Image(Kernel), "--display", "none", "--serial", serial,
                "--clock", "deterministic", "--timeout", "30", "--jit", jit.ToString().ToLowerInvariant()]);
            TestKernelTranscript.AssertPassed(Kernel, File.ReadAllText(serial), exit);
        }
        finally
        {
            File.Delete(serial);
        }
    }
}
