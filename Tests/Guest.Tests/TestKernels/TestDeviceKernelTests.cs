using Cpu.Translation;
using Guest.Tests.Emu;
using TestSupport;

namespace Guest.Tests.TestKernels;

/// <summary>
/// Guest/tests/testdev.c: QEMU's pc-testdev (scratch ports, test memory, IRQ lines) and pci-testdev (configuration
/// header, BARs, the six tests and their counts), run with the same -device flags on QEMU and on emu.
/// </summary>
public class TestDeviceKernelTests
{
    private const string Kernel = "testdev";

    private static readonly string[] DeviceFlags = ["-device", "pc-testdev", "-device", "pci-testdev"];

    [Fact]
    public void QemuPassesWithTheExpectedTranscript()
    {
        ProcessResult r = Qemu.RunKernel(TestKernelTranscript.Image(Kernel), timeout: TimeSpan.FromSeconds(20), extraArgs: DeviceFlags);
        Assert.False(r.TimedOut, "testdev timed out on QEMU; it printed:\n" + r.StandardOutput);
        TestKernelTranscript.AssertPassed(Kernel, r.StandardOutput, r.ExitCode);
    }

    [Theory]
    [MemberData(nameof(JitModes.Both), MemberType = typeof(JitModes))]
    public void EmuPassesWithTheExpectedTranscript(JitMode jit)
    {
        (int exit, string serial) = TestKernelTranscript.RunOnEmu(Kernel, jit, DeviceFlags);
        TestKernelTranscript.AssertPassed(Kernel, serial, exit);
    }

    [Fact]
    public void WithoutTheDevicesEmuLeavesTheirPortsUnclaimed()
    {
        (int exit, string serial) = TestKernelTranscript.RunOnEmu(Kernel, JitMode.Off);
        Assert.Equal(3, exit); // the kernel's FAIL through debug-exit: the scratch register is not there
        Assert.Contains("  dword: 0xffffffff", serial);
    }
}
