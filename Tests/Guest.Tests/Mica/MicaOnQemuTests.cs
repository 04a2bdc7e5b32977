using TestSupport;

namespace Guest.Tests.Mica;

/// <summary>
/// Mica's kernel tests (the kernel command line `test=NAME`) on QEMU, the reference platform:
/// each prints `TEST NAME: PASS` on COM1 and leaves through isa-debug-exit with status 0.
/// </summary>
public class MicaOnQemuTests
{
    [Theory]
    [InlineData("boot")]
    [InlineData("ipc")]
    [InlineData("sched")]
    [InlineData("mem")]
    public void KernelTestPasses(string test)
    {
        ProcessResult r = Qemu.RunKernel(RepoPaths.GuestImage("mica.elf"), RepoPaths.GuestImage("initfs.tar"), "test=" + test,
            TimeSpan.FromSeconds(60));
        Assert.False(r.TimedOut, "QEMU timed out; COM1 said:\n" + r.StandardOutput);
        Assert.Contains($"TEST {test}: PASS", r.StandardOutput);
        Assert.Equal(1, r.ExitCode); // isa-debug-exit: (0 << 1) | 1
    }

    [Fact]
    public void BootFollowsTheConsoleContract()
    {
        ProcessResult r = Qemu.RunKernel(RepoPaths.GuestImage("mica.elf"), RepoPaths.GuestImage("initfs.tar"), "test=boot",
            TimeSpan.FromSeconds(60));
        string com1 = r.StandardOutput;
        int uartd = com1.IndexOf("[uartd] ready", StringComparison.Ordinal);
        int ready = com1.IndexOf("mica: system ready", StringComparison.Ordinal);
        Assert.True(uartd >= 0, "uartd never reported ready:\n" + com1);
        Assert.True(ready > uartd, "init reported ready before uartd:\n" + com1);
        Assert.DoesNotContain("PANIC", com1);
    }

    [Fact]
    public void FaultingProcessesAreKilledAlone()
    {
        ProcessResult r = Qemu.RunKernel(RepoPaths.GuestImage("mica.elf"), RepoPaths.GuestImage("initfs.tar"), "test=mem",
            TimeSpan.FromSeconds(60));
        Assert.Contains("killed: #PF page fault", r.StandardOutput);
        Assert.Contains("killed: #GP general protection", r.StandardOutput);
        Assert.Contains("TEST mem: PASS", r.StandardOutput);
    }
}
