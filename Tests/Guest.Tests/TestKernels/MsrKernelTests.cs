using Cpu.Translation;
using Guest.Tests.Emu;
using TestSupport;

namespace Guest.Tests.TestKernels;

/// <summary>
/// Guest/tests/msr.c: the SYSENTER MSRs and SYSENTER/SYSEXIT, PAT, MISC_ENABLE, MTRRcap as CPUID says, TSC_AUX
/// through RDTSCP and RDPID, IA32_TSC_ADJUST and INVLPG of a non-canonical address. QEMU runs it with an Intel CPU
/// model (-cpu Skylake-Client): its default qemu64 is AMD-flavoured, where SYSENTER in long mode and RDTSCP are #UD.
/// QEMU 7.2's TCG offers neither RDPID nor TSC_ADJUST (not even on "max"): Expected/msr.qemu.txt has the kernel's
/// "not offered" lines there.
/// </summary>
public class MsrKernelTests
{
    private const string Kernel = "msr";

    [Fact]
    public void QemuWithAnIntelModelPassesWithTheExpectedTranscriptOrItsRecordedDepartures()
    {
        ProcessResult r = Qemu.RunKernel(TestKernelTranscript.Image(Kernel), timeout: TimeSpan.FromSeconds(20), extraArgs: ["-cpu", "Skylake-Client"]);
        Assert.False(r.TimedOut, "msr timed out on QEMU; it printed:\n" + r.StandardOutput);
        TestKernelTranscript.AssertQemuTranscript(Kernel, r.StandardOutput, r.ExitCode);
    }

    [Theory]
    [MemberData(nameof(JitModes.Both), MemberType = typeof(JitModes))]
    public void EmuPassesWithTheExpectedTranscript(JitMode jit)
    {
        (int exit, string serial) = TestKernelTranscript.RunOnEmu(Kernel, jit);
        TestKernelTranscript.AssertPassed(Kernel, serial, exit);
    }
}
