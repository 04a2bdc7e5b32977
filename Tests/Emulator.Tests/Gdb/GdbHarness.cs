using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TestSupport;

namespace Emulator.Tests.Gdb;

/// <summary>
/// What the real-gdb tests share: emu serving gdb (`emu run ... --gdb tcp::PORT --gdb-wait`), QEMU's stub
/// (`-gdb tcp::PORT -S`), and gdb in batch mode running a script against either.
/// </summary>
internal static class GdbHarness
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Starts emu with <paramref name="runArguments"/> after `run`, waiting for gdb on <paramref name="port"/>.</summary>
    public static Process StartEmu(int port, IEnumerable<string> runArguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "emu.dll");
        Process p = Start(ExternalTool.Find("dotnet") ?? "dotnet",
            new[] { dll, "run" }.Concat(runArguments).Concat(["--display", "none", "--serial", "none", "--gdb", $"tcp::{port}", "--gdb-wait"]));
        string? line = p.StandardError.ReadLine(); // printed once the port is listening
        Assert.True(line?.Contains("waiting for gdb", StringComparison.Ordinal) == true, $"emu said: {line}");
        return p;
    }

    /// <summary>Starts QEMU, the reference, on a kernel given by <paramref name="arguments"/>, its stub waiting on <paramref name="port"/>.</summary>
    public static Process StartQemu(int port, IEnumerable<string> arguments)
    {
        string qemu = ExternalTool.Require("qemu-system-x86_64", "the reference stub");
        return Start(qemu, arguments.Concat(["-serial", "null", "-display", "none", "-vga", "std", "-no-reboot", "-m", "256M",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-gdb", $"tcp:127.0.0.1:{port}", "-S"]));
    }

    /// <summary>Runs gdb (<paramref name="runGdb"/>, given the port) against QEMU on <paramref name="kernelArguments"/>.</summary>
    public static string OnQemu(IEnumerable<string> kernelArguments, Func<int, string> runGdb)
    {
        int port = FreePort();
        using Process q = StartQemu(port, kernelArguments);
        try
        {
            return runGdb(port);
        }
        finally
        {
            if (!q.WaitForExit(Timeout))
            {
                q.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// A transcript's lines (trailing blanks trimmed) and the part both machines must agree on: from gdb's
    /// "Breakpoint 1 at" to the last line <paramref name="isLast"/> accepts.
    /// </summary>
    public static (List<string> Lines, int First, int Last) Landmarks(string transcript, Predicate<string> isLast)
    {
        var lines = transcript.Split('\n').Select(l => l.TrimEnd()).ToList();
        int first = lines.FindIndex(l => l.StartsWith("Breakpoint 1 at", StringComparison.Ordinal));
        int last = lines.FindLastIndex(isLast);
        Assert.True(first >= 0 && last > first, "transcript lacks its landmarks:\n" + transcript);
        return (lines, first, last);
    }

    /// <summary>Runs <paramref name="script"/> in gdb's batch mode (no init files); its output and errors.</summary>
    public static string RunGdb(string gdb, int port, string script, params string[] gdbArguments)
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-gdb-{Environment.ProcessId}-{port}.gdb");
        File.WriteAllText(path, script);
        try
        {
            ProcessResult r = ExternalTool.Run(gdb, ["-batch", "-nx", "-x", path, .. gdbArguments], Timeout);
            Assert.False(r.TimedOut, "gdb timed out:\n" + r.StandardOutput + r.StandardError);
            return r.StandardOutput + r.StandardError;
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static Process Start(string file, IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }
}
