using Cpu.Translation;
using Emulator.Cli;
using Guest.Tests.Emu;

namespace Guest.Tests.TestKernels;

/// <summary>
/// Each test kernel on emu must print the same transcript as on QEMU (the same expected file).
/// Runs `emu run KERNEL --display none --serial FILE --clock deterministic --timeout 30 --jit MODE` (off and always) in-process.
/// </summary>
public class EmuTestKernelTests
{
    public static TheoryData<string, JitMode> Kernels => JitModes.Cross([.. TestKernelTranscript.Kernels.Select(row => row.Data)]);

    [Theory]
    [MemberData(nameof(Kernels))]
    public void KernelPassesWithTheExpectedTranscript(string kernel, JitMode jit)
    {
        string serial = Path.Combine(Path.GetTempPath(), $"emu-{kernel}-{jit}-{Environment.ProcessId}.txt");
        try
        {
            int exit = CommandLine.Run(["run", TestKernelTranscript.Image(kernel), "--display", "none",
                "--serial", serial, "--clock", "deterministic", "--timeout", "30", "--jit", jit.ToString().ToLowerInvariant()]);
            Assert.True(File.Exists(serial), $"emu exited with {exit} and wrote no serial output for {kernel}");
            TestKernelTranscript.AssertPassed(kernel, File.ReadAllText(serial), exit);
        }
        finally
        {
            File.Delete(serial);
        }
    }
}
