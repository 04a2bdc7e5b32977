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

    [Fact]
    public void ConsoleTextIsDrawnInTheFramebuffer()
    {
        ProcessResult r = Run("test=display");
        AssertPassed(r, "display");
        Assert.Contains("[pcid] ready", r.StandardOutput);
        Assert.Contains("[fbd] ready", r.StandardOutput);
    }

    [Fact]
    public async Task KeysSentThroughTheMonitorReachInput()
    {
        string socket = Path.Combine(Path.GetTempPath(), $"mica-kbd-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        using var done = new CancellationTokenSource();
        // The keys are typed again and again until QEMU exits: those that arrive before ps2d is up
        // are dropped, and the guest waits for a whole line "mica".
        Task typist = Task.Run(() => TypeUntilCancelled(socket, done.Token), TestContext.Current.CancellationToken);
        ProcessResult r;
        try
        {
            r = Run("test=keyboard expect=mica", ["-monitor", $"unix:{socket},server,nowait"]);
        }
        finally
        {
            done.Cancel();
            await typist.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            File.Delete(socket);
        }

        AssertPassed(r, "keyboard");
        Assert.Contains("keyboard: got 'mica'", r.StandardOutput);
    }

    private static void TypeUntilCancelled(string socketPath, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream,
                    System.Net.Sockets.ProtocolType.Unspecified);
                s.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
                while (!token.IsCancellationRequested)
                {
                    // Each key is held 20 ms and released before the next (sendkey's default hold, 100 ms, overlapped
                    // the next key at a 50 ms pace: under load the guest saw no whole line "mica" in 50).
                    foreach (string key in new[] { "m", "i", "c", "a", "ret" })
                    {
                        s.Send(System.Text.Encoding.ASCII.GetBytes($"sendkey {key} 20\n"));
                        token.WaitHandle.WaitOne(80);
                    }

                    token.WaitHandle.WaitOne(300);
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                token.WaitHandle.WaitOne(100); // QEMU has not made the socket yet, or has gone
            }
        }
    }

    [GeneratedRegex(@"<SEQ (\d+)>")]
    private static partial Regex SequenceLine();
}
