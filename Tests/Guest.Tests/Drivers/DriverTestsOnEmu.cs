using System.Text.RegularExpressions;
using Cpu.Translation;
using Emulator.Machines;
using Guest.Tests.Emu;
using TestSupport;

namespace Guest.Tests.Drivers;

/// <summary>
/// Mica's driver tests (issue 7) on emu, with the same command lines and checks as on QEMU.
/// The keyboard test types through the emulated i8042 instead of QEMU's monitor.
/// </summary>
public partial class DriverTestsOnEmu
{
    // The wall-clock limit only catches a hang: the runs are on the deterministic clock, so a loaded host makes them
    // slower, never different. 100 driver kills took over 180 s of wall time on a CI host at load average 28.
    private static ProcessResult Run(JitMode jit, string append, string? afterLine = null, Action<Machine>? then = null)
    {
        ProcessResult r = EmuRunner.RunKernel(RepoPaths.GuestImage("mica.elf"), RepoPaths.GuestImage("initfs.tar"), append,
            TimeSpan.FromSeconds(600), afterLine, then, jit);
        Assert.False(r.TimedOut, "emu timed out; COM1 said:\n" + r.StandardOutput);
        return r;
    }

    private static void AssertPassed(ProcessResult r, string test)
    {
        Assert.True(r.StandardOutput.Contains($"TEST {test}: PASS", StringComparison.Ordinal), $"{r.StandardError}; COM1 said:\n{r.StandardOutput}");
        Assert.DoesNotContain("PANIC", r.StandardOutput);
        Assert.Equal(1, r.ExitCode);
    }

    [Theory]
    [MemberData(nameof(JitModes.Both), MemberType = typeof(JitModes))]
    public void IsolationRefusesEveryUngrantedAttempt(JitMode jit)
    {
        ProcessResult r = Run(jit, "test=isolation");
        AssertPassed(r, "isolation");
        foreach (string attempt in new[] { "port-0x60", "map-phys-vga", "irq-bind-4", "write-kernel-text", "cli", "hlt", "mov-cr3", "wrmsr", "lgdt", "grant-io-self" })
        {
            Assert.Contains($"PASS {attempt}:", r.StandardOutput);
        }

        Assert.DoesNotContain("FAIL", r.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(JitModes.Both), MemberType = typeof(JitModes))]
    public void IpcBenchPrintsEveryCaseWithInstructionCounts(JitMode jit)
    {
        ProcessResult r = Run(jit, "test=ipcbench iters=500");
        AssertPassed(r, "ipcbench");
        foreach (string name in new[] { "null_syscall", "ipc_roundtrip", "scheme_read", "kernel_read" })
        {
            // emu has fixed counter 0, so instr/op is always there.
            Assert.Matches($@"BENCH {name} iters=500 cycles/op=\d+ instr/op=\d+", r.StandardOutput);
        }
    }

    [Theory]
    [MemberData(nameof(JitModes.Both), MemberType = typeof(JitModes))]
    public void KilledDriversAreRestartedAndNoLineIsSilentlyLost(JitMode jit)
    {
        ProcessResult r = Run(jit, "test=restart kills=100");
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

    [Theory]
    [MemberData(nameof(JitModes.Both), MemberType = typeof(JitModes))]
    public void ConsoleTextIsDrawnInTheFramebuffer(JitMode jit)
    {
        ProcessResult r = Run(jit, "test=display");
        AssertPassed(r, "display");
        Assert.Contains("[fbd] ready", r.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(JitModes.Both), MemberType = typeof(JitModes))]
    public void KeysTypedOnTheEmulatedKeyboardReachInput(JitMode jit)
    {
        // Set-2 make codes of m, i, c, a and Enter; each key is released with F0.
        byte[] keys = [0x3A, 0x43, 0x21, 0x1C, 0x5A];
        ProcessResult r = Run(jit, "test=keyboard expect=mica", @"\[ps2d\] ready", machine =>
        {
            // Typed again and again, as on QEMU: keys that arrive before the test reads input: are dropped.
            for (int round = 0; round < 40; round++)
            {
                foreach (byte k in keys)
                {
                    machine.Keyboard.InjectScancodes([k]);
                    machine.Keyboard.InjectScancodes([0xF0, k]);
                }

                RunResult step = machine.RunUntil(new RunCondition { SerialLine = new Regex("keyboard: got"), VirtualTimeout = TimeSpan.FromMilliseconds(20) });
                if (step.Cause is StopCause.SerialLineMatched or StopCause.DebugExit)
                {
                    return;
                }
            }
        });
        AssertPassed(r, "keyboard");
        Assert.Contains("keyboard: got 'mica'", r.StandardOutput);
    }

    [GeneratedRegex(@"<SEQ (\d+)>")]
    private static partial Regex SequenceLine();
}
