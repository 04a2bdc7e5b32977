using Cpu.Translation;
using Guest.Tests.Emu;
using TestSupport;

namespace Guest.Tests.Mica;

/// <summary>
/// Mica's `test=fpu` (Guest/user/fputest.c, a user program built with SSE): the kernel switches x87/SSE state lazily
/// (Guest/kernel/fpu.c), so two workers that keep their own XMM0-15, MXCSR and x87 control word across hundreds of
/// yields to each other see them intact; unmasked SIMD and x87 exceptions and an AVX instruction (#UD, CR4.OSXSAVE is
/// clear) kill the faulting process alone, and the
/// next process starts with the reset state. Without the switch the workers see each other's registers and it fails.
/// </summary>
public class MicaFpuTests
{
    private static void AssertWorkersKeptTheirState(ProcessResult r)
    {
        Assert.False(r.TimedOut, "timed out; COM1 said:\n" + r.StandardOutput);
        Assert.True(r.StandardOutput.Contains("TEST fpu: PASS", StringComparison.Ordinal), $"{r.StandardError}; COM1 said:\n{r.StandardOutput}");
        Assert.Equal(1, r.ExitCode); // isa-debug-exit: (0 << 1) | 1
        foreach (int worker in new[] { 1, 2, 3 })
        {
            Assert.Contains($"worker {worker}: 500 yields, xmm0-15 mxcsr fcw kept", r.StandardOutput);
        }

        Assert.Contains("unmasked x87 divide by zero: killed (vector 16)", r.StandardOutput);
        Assert.Contains("killed: #MF x87", r.StandardOutput);
        Assert.Contains("avx without cr4.osxsave: killed (vector 6)", r.StandardOutput);
        Assert.DoesNotContain("PANIC", r.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(JitModes.Both), MemberType = typeof(JitModes))]
    public void EmuKeepsEachProcessesFpuStateAndKillsSimdFaults(JitMode jit)
    {
        ProcessResult r = EmuRunner.RunKernel(RepoPaths.GuestImage("mica.elf"), RepoPaths.GuestImage("initfs.tar"), "test=fpu",
            TimeSpan.FromSeconds(180), jit: jit);
        AssertWorkersKeptTheirState(r);
        Assert.Contains("unmasked sse divide by zero: killed (vector 19)", r.StandardOutput);
        Assert.Contains("killed: #XM SIMD", r.StandardOutput);
    }

    /// <summary>QEMU 7.2 TCG raises no #XM for an unmasked SIMD exception (it only sets the flag): recorded, not required.</summary>
    [Fact]
    public void QemuKeepsEachProcessesFpuState()
    {
        ProcessResult r = Qemu.RunKernel(RepoPaths.GuestImage("mica.elf"), RepoPaths.GuestImage("initfs.tar"), "test=fpu",
            TimeSpan.FromSeconds(60));
        AssertWorkersKeptTheirState(r);
        Assert.Contains("unmasked sse divide by zero: not raised", r.StandardOutput);
    }
}
