using Cpu.Translation;
using Guest.Tests.Emu;
using TestSupport;

namespace Guest.Tests.Mica;

/// <summary>Mica's kernel tests on emu: the same image and command line as on QEMU, the same result.</summary>
public class MicaOnEmuTests
{
    public static TheoryData<string, JitMode> KernelTests => JitModes.Cross("boot", "ipc", "sched", "mem");

    [Theory]
    [MemberData(nameof(KernelTests))]
    public void KernelTestPasses(string test, JitMode jit)
    {
        ProcessResult r = EmuRunner.RunKernel(RepoPaths.GuestImage("mica.elf"), RepoPaths.GuestImage("initfs.tar"), "test=" + test, jit: jit);
        Assert.False(r.TimedOut, "emu timed out; COM1 said:\n" + r.StandardOutput);
        Assert.True(r.StandardOutput.Contains($"TEST {test}: PASS", StringComparison.Ordinal), $"{r.StandardError}; COM1 said:\n{r.StandardOutput}");
        Assert.Equal(1, r.ExitCode); // isa-debug-exit: (0 << 1) | 1
    }

    [Theory]
    [MemberData(nameof(JitModes.Both), MemberType = typeof(JitModes))]
    public void BootFollowsTheConsoleContract(JitMode jit)
    {
        string com1 = EmuRunner.RunKernel(RepoPaths.GuestImage("mica.elf"), RepoPaths.GuestImage("initfs.tar"), "test=boot", jit: jit).StandardOutput;
        int uartd = com1.IndexOf("[uartd] ready", StringComparison.Ordinal);
        int ready = com1.IndexOf("mica: system ready", StringComparison.Ordinal);
        Assert.True(uartd >= 0, "uartd never reported ready:\n" + com1);
        Assert.True(ready > uartd, "init reported ready before uartd:\n" + com1);
        Assert.DoesNotContain("PANIC", com1);
    }
}
