using TestSupport;

namespace Guest.Tests.Build;

/// <summary>The smallest test kernel proves the guest build and the reference platform.</summary>
public class HelloKernelTests
{
    [Fact]
    public void HelloPassesOnQemu()
    {
        ProcessResult r = Qemu.RunKernel(RepoPaths.GuestImage("tests/hello.elf"), timeout: TimeSpan.FromSeconds(30));
        Assert.Contains("TEST hello: PASS", r.StandardOutput);
        Assert.Equal(1, r.ExitCode); // isa-debug-exit: (0 << 1) | 1
    }
}
