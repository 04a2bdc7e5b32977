using System.Text.RegularExpressions;
using TestSupport;

namespace Guest.Tests.Drivers;

/// <summary>
/// Mica's driver tests (issue 7) on QEMU: least privilege, supervision and restart, and the
/// IPC benchmark's output format. Each boots `mica.elf` with `test=NAME` and reads COM1.
/// </summary>
public partial class DriverTestsOnQemu
{
    private static ProcessResult Run(string append, IEnumerable<string>? extraArgs = null)
    {
        ProcessResult r = Qemu.RunKernel(RepoPaths.GuestImage("mica.elf"), RepoPaths.GuestImage("initfs.tar"), append,
            TimeSpan.FromSeconds(90), extraArgs);
        Assert.False(r.TimedOut, "QEMU timed out; COM1 said:\n" + r.StandardOutput);
        return r;
    }

    private static void AssertPassed(ProcessResult r, string test)
    {
        Assert.Contains($"TEST {test}: PASS", r.StandardOutput);
        Assert.DoesNotContain("PANIC", r.StandardOutput);
        Assert.Equal(1, r.ExitCode); // isa-debug-exit: (0 << 1) | 1
    }

    [Fact]
    public void IsolationRefusesEveryUngrantedAttempt()
    {
        ProcessResult r = Run("test=isolation");
        AssertPassed(r, "isolation");
        foreach (string attempt in new[] { "port-0x60", "map-phys-vga", "irq-bind-4", "write-kernel-text", "cli", "hlt", "mov-cr3", "wrmsr", "lgdt", "grant-io-self" })
        {
            Assert.Contains($"PASS {attempt}:", r.StandardOutput);
        }

        Assert.DoesNotContain("FAIL", r.StandardOutput);
    }

    [Fact]
    public void IpcBenchPrintsEveryCase()
    {
        ProcessResult r = Run("test=ipcbench iters=500");
        AssertPassed(r, "ipcbench");
        foreach (string name in new[] { "null_syscall", "ipc_roundtrip", "scheme_read", "kernel_read" })
        {
            Assert.Matches($@"BENCH {name} iters=500 cycles/op=\d+( instr/op=\d+)?", r.StandardOutput);
        }
    }

    [Fact]
    public void KilledDriversAreRestartedAndNoLineIsSilentlyLost()
    {
        ProcessResult r = Run("test=restart kills=100");
        AssertPassed(r, "restart");
        string com1 = r.StandardOutput;
        Assert.Contains("uartd killed 100 times", com1);
        Assert.True(Regex.Matches(com1, @"\[rs\] restarted uartd").Count >= 100, "fewer than 100 restarts logged");
        var seen = new HashSet<long>();
        foreach (Match m in SequenceLine().Matches(com1))
        {
            seen.Add(long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.NotEmpty(seen);
        long last = seen.Max();
        for (long i = 0; i <= last; i++)
        {
            Assert.True(seen.Contains(i), $"line {i} of {last} never reached COM1");
        }
    }

    [GeneratedRegex(@"<SEQ (\d+)>")]
    private static partial Regex SequenceLine();
}
