using System.Text;
using Emulator.Machines;
using Guest.Tests.Emu;
using TestSupport;

namespace Guest.Tests.Disk;

/// <summary>Boots Mica with one virtio disk on emu or on QEMU, the same image and command line on both.</summary>
public static class DiskPlatform
{
    public const string Emu = "emu";
    public const string Qemu = "qemu";

    public static TheoryData<string> Both => [Emu, Qemu];

    /// <summary>Boots with <paramref name="image"/> as the disk; <paramref name="typed"/> goes to COM1 once the shell is up.</summary>
    public static ProcessResult Boot(string platform, string append, string image, TimeSpan? timeout = null, string? typed = null)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(180);
        ProcessResult r = platform == Emu
            ? EmuRunner.RunKernel(RepoPaths.GuestImage("mica.elf"), RepoPaths.GuestImage("initfs.tar"), append, limit,
                typed is null ? null : "mica shell", m => m.Serial.EnqueueInput(Encoding.ASCII.GetBytes(typed!)), drives: [new DriveConfiguration(image)])
            : TestSupport.Qemu.RunKernel(RepoPaths.GuestImage("mica.elf"), RepoPaths.GuestImage("initfs.tar"), append, limit,
                ["-drive", $"file={image},format=raw,if=virtio"], typed);
        Assert.False(r.TimedOut, $"{platform} timed out; COM1 said:\n" + r.StandardOutput);
        return r;
    }

    public static void AssertPassed(ProcessResult r, string test)
    {
        Assert.True(r.StandardOutput.Contains($"TEST {test}: PASS", StringComparison.Ordinal), $"{r.StandardError}; COM1 said:\n{r.StandardOutput}");
        Assert.DoesNotContain("PANIC", r.StandardOutput);
        Assert.Equal(1, r.ExitCode);
    }
}
