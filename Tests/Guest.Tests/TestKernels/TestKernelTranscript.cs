using Cpu.Translation;
using Emulator.Cli;
using TestSupport;

namespace Guest.Tests.TestKernels;

/// <summary>
/// The transcript a bare-metal test kernel (Guest/tests/NAME.c) prints on COM1, checked in as
/// TestKernels/Expected/NAME.txt. QEMU and emu must both print exactly this, so any change in
/// behaviour shows up as a diff.
/// </summary>
public static class TestKernelTranscript
{
    /// <summary>The kernels that report through the support library, one transcript each.</summary>
    public static TheoryData<string> Kernels => new(["cpumode", "paging", "debug", "uart", "pit", "lapic", "ioapic", "rtc", "ps2", "apicipi", "x2apic", "pkeys", "coremix", "segbase", "simd"]);

    /// <summary>
    /// QEMU options a kernel needs: protection keys exist only on QEMU's "max" CPU model; QEMU's default
    /// qemu64 lacks SSSE3 (its TCG raises #UD for it), which simd uses.
    /// </summary>
    public static IEnumerable<string> QemuArguments(string kernel) => kernel switch
    {
        "pkeys" => ["-cpu", "max"],
        "simd" => ["-cpu", "qemu64,+ssse3"],
        _ => [],
    };

    /// <summary>Where a kernel's expected transcript lives in the repository.</summary>
    public static string ExpectedPath(string kernel) =>
        Path.Combine(RepoPaths.Root, "Tests", "Guest.Tests", "TestKernels", "Expected", kernel + ".txt");

    /// <summary>
    /// Where QEMU (7.2, TCG) departs from the SDM in a kernel or lacks a feature it tests, what QEMU prints
    /// instead: NAME.qemu.txt, departures showing as failed checks (with the value the SDM requires) and a
    /// FAIL line, a missing feature as the kernel's own "not offered" line. Null when QEMU agrees.
    /// </summary>
    public static string? QemuDeparturesPath(string kernel)
    {
        string path = Path.Combine(RepoPaths.Root, "Tests", "Guest.Tests", "TestKernels", "Expected", kernel + ".qemu.txt");
        return File.Exists(path) ? path : null;
    }

    /// <summary>Asserts that QEMU printed the expected transcript, or exactly its recorded departures from it.</summary>
    public static void AssertQemuTranscript(string kernel, string transcript, int exitCode)
    {
        if (QemuDeparturesPath(kernel) is not { } departures)
        {
            AssertPassed(kernel, transcript, exitCode);
            return;
        }

        string actual = Normalize(transcript);
        string expected = Normalize(File.ReadAllText(departures));
        bool passes = expected.Contains($"TEST {kernel}: PASS", StringComparison.Ordinal);
        Assert.Equal(passes ? 1 : 3, exitCode); // isa-debug-exit: (0 << 1) | 1 on PASS, (1 << 1) | 1 on the kernel's FAIL
        Assert.True(expected == actual, FirstDifference(expected, actual));
    }

    /// <summary>
    /// Runs a test kernel on emu (deterministic clock, 30 s timeout, the given JIT mode and <paramref name="extra"/>
    /// flags) and returns its exit status and COM1 transcript.
    /// </summary>
    public static (int Exit, string Serial) RunOnEmu(string kernel, JitMode jit, params string[] extra)
    {
        string serial = Path.Combine(Path.GetTempPath(), $"emu-{kernel}-{jit}-{Guid.NewGuid():N}.txt");
        try
        {
            int exit = CommandLine.Run(["run", Image(kernel), "--display", "none", "--serial", serial,
                "--clock", "deterministic", "--timeout", "30", "--jit", jit.ToString().ToLowerInvariant(), .. extra]);
            Assert.True(File.Exists(serial), $"emu exited with {exit} and wrote no serial output");
            return (exit, Normalize(File.ReadAllText(serial)));
        }
        finally
        {
            File.Delete(serial);
        }
    }

    /// <summary>The built image of a test kernel (falls back to Guest/prebuilt).</summary>
    public static string Image(string kernel) => RepoPaths.GuestImage("tests/" + kernel + ".elf");

    /// <summary>Asserts that a run printed the PASS line, exited through debug-exit with 0 and printed the expected transcript.</summary>
    public static void AssertPassed(string kernel, string transcript, int exitCode)
    {
        string actual = Normalize(transcript);
        Assert.Contains($"TEST {kernel}: PASS", actual);
        Assert.Equal(1, exitCode); // isa-debug-exit: (0 << 1) | 1
        string expected = Normalize(File.ReadAllText(ExpectedPath(kernel)));
        Assert.True(expected == actual, FirstDifference(expected, actual));
    }

    private static string Normalize(string s) => s.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string FirstDifference(string expected, string actual)
    {
        string[] e = expected.Split('\n');
        string[] a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end of transcript>";
            string al = i < a.Length ? a[i] : "<end of transcript>";
            if (el != al)
            {
                return $"transcript differs at line {i + 1}: expected \"{el}\", got \"{al}\"\nwhole transcript:\n{actual}";
            }
        }

        return "transcripts are equal";
    }
}
