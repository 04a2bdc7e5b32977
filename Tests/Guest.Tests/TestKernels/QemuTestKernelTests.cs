using TestSupport;

namespace Guest.Tests.TestKernels;

/// <summary>
/// Each test kernel on QEMU, the reference: it passes and prints the checked-in transcript, or, where QEMU
/// departs from the SDM, prints exactly the recorded departures (<see cref="TestKernelTranscript.QemuDeparturesPath"/>).
/// </summary>
public class QemuTestKernelTests
{
    [Theory]
    [MemberData(nameof(TestKernelTranscript.Kernels), MemberType = typeof(TestKernelTranscript))]
    public void KernelPassesWithTheExpectedTranscript(string kernel)
    {
        ProcessResult r = Qemu.RunKernel(TestKernelTranscript.Image(kernel), timeout: TimeSpan.FromSeconds(20),
            extraArgs: TestKernelTranscript.QemuArguments(kernel));
        Assert.False(r.TimedOut, kernel + " timed out on QEMU; it printed:\n" + r.StandardOutput);
        TestKernelTranscript.AssertQemuTranscript(kernel, r.StandardOutput, r.ExitCode);
    }
}
