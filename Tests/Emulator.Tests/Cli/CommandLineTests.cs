using Emulator.Cli;
using Emulator.Tests.Support;
using TestSupport;

namespace Emulator.Tests.Cli;

/// <summary>The `emu` program as a user meets it: help, and one clear line for bad input.</summary>
public class CommandLineTests
{
    private static ProcessResult Emu(params string[] args) => EmuProcess.Run(args);

    private static void AssertOneLineFailure(ProcessResult r, int status, string mention)
    {
        Assert.Equal(status, r.ExitCode);
        Assert.DoesNotContain("   at ", r.StandardError);
        Assert.Single(r.StandardError.Trim().Split('\n'));
        Assert.StartsWith("emu: ", r.StandardError);
        Assert.Contains(mention, r.StandardError);
    }

    private static string Hello => RepoPaths.GuestImage("tests/hello.elf");

    [Fact]
    public void HelpPrintsUsageAndExitStatuses()
    {
        ProcessResult r = Emu("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("run", r.StandardOutput);
        Assert.Contains("triple fault", r.StandardOutput);
        ProcessResult run = Emu("run", "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--initrd", run.StandardOutput);
        Assert.Contains("--stats-json", run.StandardOutput);
    }

    [Fact]
    public void UnknownFlagIsOneLineAndNonZero()
    {
        AssertOneLineFailure(Emu("run", "--no-such-flag"), ExitStatus.UsageError, "--no-such-flag");
    }

    [Fact]
    public void BadGdbEndpointsAreOneLineAndNonZero()
    {
        AssertOneLineFailure(Emu("run", Hello, "--gdb", "tcp::notaport"), ExitStatus.UsageError, "--gdb");
        AssertOneLineFailure(Emu("run", Hello, "--gdb", "tcp:example.com:1234"), ExitStatus.UsageError, "localhost");
        AssertOneLineFailure(Emu("run", Hello, "--gdb-wait"), ExitStatus.UsageError, "--gdb-wait");
    }

    [Fact]
    public void MissingKernelFile()
    {
        AssertOneLineFailure(Emu("run", "/nonexistent/kernel.elf"), ExitStatus.BadImage, "not found");
    }

    [Fact]
    public void BadDiskImagesAreOneLineEach()
    {
        string dir = Directory.CreateTempSubdirectory("emu-drive").FullName;
        try
        {
            string odd = Path.Combine(dir, "odd.img");
            File.WriteAllBytes(odd, new byte[1000]);
            AssertOneLineFailure(Emu("run", Hello, "--display", "none", "--drive", $"file={dir}/none.img,format=raw,if=virtio"), ExitStatus.BadImage, "not found");
            AssertOneLineFailure(Emu("run", Hello, "--display", "none", "--drive", $"file={odd},format=raw,if=virtio"), ExitStatus.BadImage, "512-byte sectors");
            AssertOneLineFailure(Emu("run", Hello, "--display", "none", "--drive", $"file={odd},format=vmdk"), ExitStatus.UsageError, "raw");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MissingModuleFile()
    {
        AssertOneLineFailure(Emu("run", Hello, "--initrd", "/nonexistent/initfs.tar"), ExitStatus.BadImage, "not found");
    }

    [Fact]
    public void FileThatIsNotMultiboot()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-not-multiboot-{Environment.ProcessId}.bin");
        File.WriteAllText(path, "this is not a kernel\n");
        try
        {
            AssertOneLineFailure(Emu("run", path), ExitStatus.BadImage, "not a multiboot image");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TruncatedElf()
    {
        byte[] hello = File.ReadAllBytes(Hello);
        string path = Path.Combine(Path.GetTempPath(), $"emu-truncated-{Environment.ProcessId}.elf");
        File.WriteAllBytes(path, hello[..0xB0]);
        try
        {
            AssertOneLineFailure(Emu("run", path), ExitStatus.BadImage, "truncated");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void KernelThatDoesNotFitInMemory()
    {
        // A kernel loaded at 2 MiB on a 2 MiB machine.
        string kernel = Path.Combine(Path.GetTempPath(), $"emu-high-kernel-{Environment.ProcessId}.bin");
        File.WriteAllBytes(kernel, Support.TestImages.PlainAoutKludge());
        try
        {
            AssertOneLineFailure(Emu("run", kernel, "--mem", "2M"), ExitStatus.BadImage, "the kernel does not fit in memory");
        }
        finally
        {
            File.Delete(kernel);
        }
    }

    [Fact]
    public void ModulesThatDoNotFitInMemory()
    {
        string module = Path.Combine(Path.GetTempPath(), $"emu-big-module-{Environment.ProcessId}.bin");
        File.WriteAllBytes(module, new byte[3 << 19]);
        try
        {
            AssertOneLineFailure(Emu("run", Hello, "--mem", "2M", "--initrd", module), ExitStatus.BadImage, "the modules do not fit in memory");
        }
        finally
        {
            File.Delete(module);
        }
    }

    [Theory]
    [InlineData("1K", "too small")]
    [InlineData("lots", "malformed")]
    [InlineData("12Q", "malformed")]
    public void BadMemorySize(string mem, string mention)
    {
        AssertOneLineFailure(Emu("run", Hello, "--mem", mem), ExitStatus.UsageError, mention);
    }

    [Fact]
    public void BadClockMode()
    {
        AssertOneLineFailure(Emu("run", Hello, "--clock", "sometimes"), ExitStatus.UsageError, "--clock");
    }

    [Fact]
    public void HelloRunsToItsDebugExitStatus()
    {
        ProcessResult r = Emu("run", Hello, "--display", "none", "--stats");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("TEST hello: PASS", r.StandardOutput);
        Assert.Contains("instructions retired", r.StandardError);
    }

    [Fact]
    public void BadJitMode()
    {
        AssertOneLineFailure(Emu("run", Hello, "--jit", "sometimes"), ExitStatus.UsageError, "--jit");
    }

    [Theory]
    [InlineData("off")]
    [InlineData("always")]
    public void HelloRunsUnderEachJitModeAndStatsShowTheJitCounters(string jit)
    {
        ProcessResult r = Emu("run", Hello, "--display", "none", "--jit", jit, "--stats");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("TEST hello: PASS", r.StandardOutput);
        long compiled = StatsValue(r.StandardError, "jit blocks compiled:");
        long jitInstructions = StatsValue(r.StandardError, "jit instructions:");
        long interpreted = StatsValue(r.StandardError, "interpreted instructions:");
        Assert.Equal(StatsValue(r.StandardError, "instructions retired:"), jitInstructions + interpreted);
        long optimized = StatsValue(r.StandardError, "jit blocks optimized:");
        long chained = StatsValue(r.StandardError, "jit chained entries:");
        double share = StatsNumber(r.StandardError, "jit instruction share (%):");
        Assert.True(optimized <= compiled && chained >= 0, r.StandardError);
        Assert.Equal(100.0 * jitInstructions / StatsValue(r.StandardError, "instructions retired:"), share, 0.01);
        Assert.DoesNotContain("compiled time", r.StandardError); // host time in compiled code was an estimate without an error bound
        Assert.DoesNotContain("compiled share", r.StandardError);
        if (jit == "off")
        {
            Assert.Equal(0, compiled);
            Assert.Equal(0, jitInstructions);
            Assert.Equal(0, chained);
        }
        else
        {
            Assert.True(compiled > 0, r.StandardError);
            Assert.True(jitInstructions > 0, r.StandardError);
        }
    }

    /// <summary>The README's first command (`dotnet run --project Emulator`, no subcommand) boots the bundled Mica image.</summary>
    [Fact]
    public void NoSubcommandBootsTheBundledMica()
    {
        ProcessResult r = EmuProcess.Run(["-append", "test=boot", "-display", "none"], TimeSpan.FromSeconds(120));
        Assert.Contains("TEST boot: PASS", r.StandardOutput);
        Assert.Equal(1, r.ExitCode);
    }

    /// <summary>A QEMU flag emu lacks, or a value of one it cannot honour: one line naming it, never a silent ignore.</summary>
    [Theory]
    [InlineData("-usb", "-usb")]
    [InlineData("-enable-kvm", "-enable-kvm")]
    [InlineData("-hda disk.img", "-hda")]
    [InlineData("-cdrom os.iso", "-cdrom")]
    [InlineData("-gdb stdio", "stdio")]
    [InlineData("-S", "-S")]
    [InlineData("-drive file=disk.img,format=qcow2,if=virtio", "format=qcow2")]
    [InlineData("-drive file=disk.img,format=raw,if=ide", "if=ide")]
    [InlineData("-smp 2", "-smp 2")]
    [InlineData("-smp cpus=4", "-smp")]
    [InlineData("-machine microvm", "-machine microvm")]
    [InlineData("-accel kvm", "-accel kvm")]
    [InlineData("-cpu Haswell", "-cpu Haswell")]
    [InlineData("-serial pty", "-serial pty")]
    [InlineData("-serial stdio -serial file:x", "second -serial")]
    [InlineData("-display curses", "-display curses")]
    [InlineData("-monitor stdio", "-monitor stdio")]
    [InlineData("-vga cirrus", "-vga cirrus")]
    [InlineData("-device e1000", "-device e1000")]
    [InlineData("-device isa-debug-exit,iobase=0xf4,iosize=3", "iosize=3")]
    [InlineData("-device isa-debug-exit,iobase=0x10000", "iobase=0x10000")]
    [InlineData("-device pci-testdev,addr=5", "addr=5")]
    [InlineData("-m 256M,maxmem=1G", "-m")]
    [InlineData("-m", "-m needs a value")]
    public void QemuFlagsEmuLacksAreRefusedByName(string flags, string mention)
    {
        AssertOneLineFailure(Emu(["-kernel", Hello, "-display", "none", .. flags.Split(' ')]), ExitStatus.UsageError, mention);
    }

    private static double StatsNumber(string stats, string name) =>
        double.Parse(StatsText(stats, name), System.Globalization.CultureInfo.InvariantCulture);

    private static long StatsValue(string stats, string name) =>
        long.Parse(StatsText(stats, name), System.Globalization.CultureInfo.InvariantCulture);

    private static string StatsText(string stats, string name)
    {
        string? line = stats.Split('\n').FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
        Assert.True(line is not null, $"--stats printed no '{name}' line:\n{stats}");
        return line[name.Length..].Trim();
    }
}
