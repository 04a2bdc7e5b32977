using Emulator.Cli;

namespace Guest.Tests.TestKernels;

/// <summary>
/// Each test kernel on emu must print the same transcript as on QEMU (the same expected file).
/// Runs `emu run KERNEL --display none --serial FILE --clock deterministic --timeout 30` in-process.
/// </summary>
public class EmuTestKernelTests
{
    [Theory]
    [MemberData(nameof(TestKernelTranscript.Kernels), MemberType = typeof(TestKernelTranscript))]
    public void KernelPassesWithTheExpectedTranscript(string kernel)
    {
        string serial = Path.Combine(Path.GetTempPath(), $"emu-{kernel}-{Environment.ProcessId}.txt");
        try
        {
            int exit = CommandLine.Run(["run", TestKernelTranscript.Image(kernel), "--display", "none",
                "--serial", serial, "--clock", "deterministic", "--timeout", "30"]);
            Assert.True(File.Exists(serial), $"emu exited with {exit} and wrote no serial output for {kernel}");
            TestKernelTranscript.AssertPassed(kernel, File.ReadAllText(serial), exit);
        }
        finally
        {
            File.Delete(serial);
        }
    }
}
