using Cpu.Translation;
using Emulator.Cli;
using Guest.Tests.Emu;
using TestSupport;

namespace Guest.Tests.TestKernels;

/// <summary>
/// Guest/tests/lowload.S loads at 0x9000, its image covering conventional memory up past 0x20000, and checks that
/// the boot information lies outside its loaded bytes and that its data arrived intact. emu places the information
/// where the image does not load. QEMU 7.2 departs: its multiboot option ROM always writes the information at
/// 0x9500, over such an image (the multiboot specification says the loader must not use the OS image's memory),
/// and the kernel says so; the test records that.
/// </summary>
public class LowLoadKernelTests
{
    private const string Image = "tests/lowload.elf";

    [Theory]
    [MemberData(nameof(JitModes.Both), MemberType = typeof(JitModes))]
    public void EmuLoadsTheImageLowAndPutsTheBootInformationElsewhere(JitMode jit)
    {
        string serial = Path.Combine(Path.GetTempPath(), $"emu-lowload-{jit}-{Guid.NewGuid():N}.txt");
        try
        {
            int exit = CommandLine.Run(["run", RepoPaths.GuestImage(Image), "--display", "none", "--serial", serial,
                "--clock", "deterministic", "--timeout", "30", "--jit", jit.ToString().ToLowerInvariant()]);
            Assert.Equal("TEST lowload: PASS\n", File.ReadAllText(serial));
            Assert.Equal(1, exit);
        }
        finally
        {
            File.Delete(serial);
        }
    }

    [Fact]
    public void QemuWritesItsBootInformationOverTheImage()
    {
        ProcessResult r = Qemu.RunKernel(RepoPaths.GuestImage(Image), timeout: TimeSpan.FromSeconds(20));
        Assert.Equal("TEST lowload: FAIL the boot information lies inside the image\n", r.StandardOutput.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal(3, r.ExitCode);
    }
}
