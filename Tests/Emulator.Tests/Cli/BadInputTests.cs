using System.Buffers.Binary;
using Emulator.Cli;
using Emulator.Tests.Support;
using TestSupport;

namespace Emulator.Tests.Cli;

/// <summary>
/// Bad input of every kind (issue 14 items 6 and 9): each ends in one line on stderr and an even status of
/// emu's own, never a .NET type name or stack trace, and output paths are refused before the guest runs.
/// </summary>
public class BadInputTests
{
    private static string Hello => RepoPaths.GuestImage("tests/hello.elf");

    private static void AssertOneLine(ProcessResult r, int status, string mention)
    {
        Assert.True(status == r.ExitCode, $"status {r.ExitCode}, stderr: {r.StandardError}");
        string error = r.StandardError.Trim();
        Assert.Single(error.Split('\n'));
        Assert.StartsWith("emu: ", error);
        Assert.Contains(mention, error);
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("System.", error);
        Assert.DoesNotContain("Nullable", error);
    }

    [Theory]
    [InlineData("kernel")]
    [InlineData("initrd")]
    public void DirectoryAsKernelOrModule(string which)
    {
        string dir = Path.GetTempPath();
        ProcessResult r = which == "kernel"
            ? EmuProcess.Run(dir, "--display", "none")
            : EmuProcess.Run(Hello, "-initrd", dir, "--display", "none");
        AssertOneLine(r, ExitStatus.BadImage, "is a directory");
    }

    [Theory]
    [InlineData("abc", "not a number")]
    [InlineData("", "not a number")]
    [InlineData("1,5", "not a number")]
    [InlineData("Infinity", "not a number")]
    [InlineData("-Infinity", "not a number")]
    [InlineData("NaN", "not a number")]
    [InlineData("1e308", "out of range")]
    [InlineData("1.7976931348623157E+308", "out of range")]
    [InlineData("1000000001", "out of range")]
    [InlineData("0", "out of range")]
    [InlineData("-0", "out of range")]
    [InlineData("-5", "out of range")]
    [InlineData("1e-400", "out of range")]
    public void BadTimeouts(string timeout, string mention)
    {
        AssertOneLine(EmuProcess.Run(Hello, "--display", "none", "--timeout", timeout), ExitStatus.UsageError, "--timeout");
        Assert.Contains(mention, EmuProcess.Run(Hello, "--display", "none", "--timeout", timeout).StandardError);
    }

    [Theory]
    [InlineData("1000000000")] // the largest timeout
    [InlineData("1e-3")]
    public void TimeoutsAtTheLimitsRun(string timeout)
    {
        ProcessResult r = EmuProcess.Run(Hello, "--display", "none", "--timeout", timeout);
        Assert.True(r.ExitCode is 1 or ExitStatus.Timeout, r.StandardError);
    }

    [Theory]
    [InlineData("65G", ExitStatus.UsageError, "too large")]
    [InlineData("65537", ExitStatus.UsageError, "too large")]
    [InlineData("17179869184G", ExitStatus.UsageError, "too large")]
    [InlineData("18446744073709551615B", ExitStatus.UsageError, "too large")]
    [InlineData("99999999999999999999999", ExitStatus.UsageError, "malformed")]
    [InlineData("2097151B", ExitStatus.UsageError, "too small")]
    [InlineData("2097153B", ExitStatus.UsageError, "4 KiB pages")]
    [InlineData("0", ExitStatus.UsageError, "malformed")]
    public void BadMemorySizes(string mem, int status, string mention)
    {
        AssertOneLine(EmuProcess.Run(Hello, "--display", "none", "-m", mem), status, mention);
    }

    /// <summary>64G is accepted; a host that cannot give that much says so in one line (status 12) instead of crashing.</summary>
    [Fact]
    public void LargestMemoryRunsOrIsRefusedInOneLine()
    {
        ProcessResult r = EmuProcess.Run(Hello, "--display", "none", "-m", "64G");
        if (r.ExitCode != 1)
        {
            AssertOneLine(r, ExitStatus.NotAvailable, "cannot allocate");
        }
    }

    [Theory]
    [InlineData("--stats-json", "/proc/emu-test.json")]
    [InlineData("--stats-json", "/nonexistent-dir/x.json")]
    [InlineData("--stats-json", "/tmp")]
    [InlineData("--screenshot", "/proc/emu-test.png")]
    [InlineData("--screenshot", "/nonexistent-dir/x.png")]
    [InlineData("--trace", "/proc/emu-test.trace")]
    [InlineData("--serial", "/proc/emu-test.txt")]
    [InlineData("-serial", "file:/proc/emu-test.txt")]
    [InlineData("-pidfile", "/proc/emu-test.pid")]
    [InlineData("-pidfile", "/tmp")]
    public void OutputPathsAreCheckedBeforeTheGuestRuns(string flag, string path)
    {
        ProcessResult r = EmuProcess.Run(Hello, "--display", "none", flag, path);
        AssertOneLine(r, ExitStatus.UsageError, path.Replace("file:", string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("TEST hello", r.StandardOutput);
    }

    /// <summary>An output that fails only when written after the run must not exit with the guest's (passing) status.</summary>
    [Theory]
    [InlineData("--screenshot")]
    [InlineData("--stats-json")]
    public void OutputsThatFailAfterTheRunGetTheirOwnStatus(string flag)
    {
        ProcessResult r = EmuProcess.Run(Hello, "--display", "none", flag, "/dev/full");
        Assert.Contains("TEST hello: PASS", r.StandardOutput);
        AssertOneLine(r, ExitStatus.OutputError, "/dev/full");
    }

    /// <summary>a.out bss_end_addr and ELF p_memsz at and past 2 GiB beyond the file data: one line, or a run when it fits.</summary>
    [Theory]
    [InlineData("aout", 0x7FFF_FFFFu, "256M")]
    [InlineData("aout", 0x8000_0000u, "256M")]
    [InlineData("aout", 0xBFE0_0000u, "256M")]
    [InlineData("aout", 0xFFDF_FF90u, "256M")]
    [InlineData("aout", 0xFFFF_FF00u, "256M")]
    [InlineData("elf", 0x7FFF_FFFFu, "256M")]
    [InlineData("elf", 0x8000_0000u, "256M")]
    [InlineData("elf", 0xFFEF_FFC0u, "256M")]
    [InlineData("elf", 0xFFFF_FFFFu, "256M")]
    [InlineData("aout", 0x8000_0000u, "4G")]
    [InlineData("elf", 0x8000_0000u, "4G")]
    public void HugeBssIsOneLineOrFits(string format, uint extra, string mem)
    {
        byte[] image = format == "aout" ? TestImages.PlainAoutKludge() : TestImages.Elf32HigherHalf();
        if (format == "aout")
        {
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(24), unchecked(0x20_0000u + (uint)image.Length + extra)); // bss_end_addr
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(52 + 20), unchecked(0x40u + extra)); // p_memsz
        }

        string path = Path.Combine(Path.GetTempPath(), $"emu-huge-bss-{Environment.ProcessId}-{format}-{extra:x}.bin");
        File.WriteAllBytes(path, image);
        try
        {
            ProcessResult r = EmuProcess.Run(path, "--display", "none", "-m", mem);
            if (r.ExitCode != ExitStatus.GuestStopped)
            {
                AssertOneLine(r, ExitStatus.BadImage, path);
            }
            else
            {
                Assert.Equal("4G", mem); // it fits below the PCI hole only with the larger RAM
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>An exception inside the command's action reaches Program's one-line fallback with the internal-error status.</summary>
    [Fact]
    public void ExceptionsInsideTheActionEndInOneLine()
    {
        // The debug-exit device on COM1's ports: the machine cannot be built.
        AssertOneLine(EmuProcess.Run(Hello, "--display", "none", "-device", "isa-debug-exit,iobase=0x3f8,iosize=1"), ExitStatus.InternalError, "0x03F8");
    }
}
