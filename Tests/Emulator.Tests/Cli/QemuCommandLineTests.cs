using Emulator.Tests.Support;
using TestSupport;

namespace Emulator.Tests.Cli;

/// <summary>
/// emu as a drop-in for qemu-system-x86_64: command lines as hobby-OS Makefiles and tutorials write them,
/// word for word, run on QEMU and on emu; each prints the same COM1 transcript and exits with the same status.
/// </summary>
public class QemuCommandLineTests
{
    private const string DebugExit = "isa-debug-exit,iobase=0xf4,iosize=0x04";

    /// <summary>{K} is the kernel, {OUT} a serial output file (its contents are then the transcript).</summary>
    public static TheoryData<string, string> CommandLines => new()
    {
        { "hello", "-kernel {K} -serial stdio -display none -device " + DebugExit },
        { "hello", "-kernel {K} -nographic -no-reboot -device " + DebugExit },
        { "uart", "-kernel {K} -serial mon:stdio -display none -m 128 -device " + DebugExit },
        { "pit", "-machine q35 -cpu max -smp 1 -m 256M -kernel {K} -nographic -device " + DebugExit },
        { "rtc", "-M pc -accel tcg -kernel {K} -serial stdio -display none -vga std -no-reboot -no-shutdown -device " + DebugExit },
        { "lapic", "-kernel {K} -nographic -monitor none -device isa-debug-exit,iobase=0xf4,iosize=4" },
        { "ioapic", "-cpu qemu64 -kernel {K} -serial file:{OUT} -display none -device " + DebugExit },
        { "paging", "-name paging -kernel {K} -display none -serial stdio -device " + DebugExit + " -m 64" },
        { "cpumode", "-machine pc,accel=tcg -smp cpus=1 -kernel {K} -display none -serial stdio -device " + DebugExit },
        { "ps2", "--kernel {K} --nographic --device " + DebugExit },
        { "hello", "-m 2G -kernel {K} -serial null -display none -device " + DebugExit },
        { "mica", "-kernel {K} -initrd {INITFS} -append test=boot -nographic -m 256M -no-reboot -device " + DebugExit },
    };

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void SameTranscriptAndStatusAsQemu(string kernel, string commandLine)
    {
        string qemu = ExternalTool.Require("qemu-system-x86_64", "the reference platform for the QEMU command lines");
        ProcessResult onQemu = RunBoth(kernel, commandLine, "qemu", args => ExternalTool.Run(qemu, args, TimeSpan.FromSeconds(120), stdin: string.Empty), out string qemuTranscript);
        ProcessResult onEmu = RunBoth(kernel, commandLine, "emu", args => EmuProcess.Run(args, TimeSpan.FromSeconds(120)), out string emuTranscript);

        Assert.False(onQemu.TimedOut || onEmu.TimedOut, $"timed out; qemu: {qemuTranscript}\nemu: {emuTranscript}");
        Assert.Equal(onQemu.ExitCode, onEmu.ExitCode);
        if (kernel == "mica")
        {
            // Mica's boot log has host-dependent lines (timer calibration); the verdict must agree.
            Assert.Contains("TEST boot: PASS", qemuTranscript);
            Assert.Contains("TEST boot: PASS", emuTranscript);
        }
        else
        {
            Assert.Equal(qemuTranscript, emuTranscript);
            Assert.Equal(commandLine.Contains("-serial null", StringComparison.Ordinal), emuTranscript.Length == 0);
        }
    }

    /// <summary>
    /// With -nographic QEMU's SeaBIOS and option ROMs print on the serial console before the kernel runs (emu loads
    /// the kernel itself, without firmware): everything up to SeaBIOS's "Booting from ROM.." is not the kernel's.
    /// </summary>
    private static string WithoutFirmware(string transcript)
    {
        // SeaBIOS may print one more '.' and a carriage return after them on a slow host, and (seen once in CI,
        // with -nographic, two kernels in the same run) a line break; the test kernels never begin with an empty line.
        const string LastFirmwareWords = "Booting from ROM..";
        int at = transcript.LastIndexOf(LastFirmwareWords, StringComparison.Ordinal);
        return at < 0 ? transcript : transcript[(at + LastFirmwareWords.Length)..].TrimStart('.', '\r', '\n');
    }

    private static ProcessResult RunBoth(string kernel, string commandLine, string who, Func<IEnumerable<string>, ProcessResult> run, out string transcript)
    {
        string output = Path.Combine(Path.GetTempPath(), $"emu-qemu-cli-{who}-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        string image = kernel == "mica" ? RepoPaths.GuestImage("mica.elf") : RepoPaths.GuestImage($"tests/{kernel}.elf");
        string[] args = commandLine.Split(' ')
            .Select(a => a.Replace("{K}", image, StringComparison.Ordinal)
                .Replace("{INITFS}", RepoPaths.GuestImage("initfs.tar"), StringComparison.Ordinal)
                .Replace("{OUT}", output, StringComparison.Ordinal))
            .ToArray();
        try
        {
            ProcessResult r = run(args);
            transcript = WithoutFirmware((commandLine.Contains("{OUT}", StringComparison.Ordinal) ? File.ReadAllText(output) : r.StandardOutput)
                .Replace("\r\n", "\n", StringComparison.Ordinal));
            return r;
        }
        finally
        {
            File.Delete(output);
        }
    }
}
