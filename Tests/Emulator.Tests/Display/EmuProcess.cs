using System.Diagnostics;
using System.Text;

namespace Emulator.Tests.Display;

/// <summary>
/// The real <c>emu</c> program as a child process with a chosen X display (or none): COM1 arrives on its
/// stdout, which is read as a stream of characters (a shell prompt never ends a line), and stderr is kept.
/// </summary>
internal sealed class EmuProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder errors = new();
    private readonly Task pumps;

    private EmuProcess(Process process)
    {
        this.process = process;
        pumps = Task.WhenAll(Pump(process.StandardOutput, output), Pump(process.StandardError, errors));
    }

    /// <summary>What the guest printed on COM1 so far.</summary>
    public string Com1
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>What emu printed on stderr so far.</summary>
    public string StandardError
    {
        get
        {
            lock (errors)
            {
                return errors.ToString();
            }
        }
    }

    /// <summary>Starts <c>emu</c> with <paramref name="args"/>, DISPLAY set to <paramref name="display"/> (unset when null), stdin kept open.</summary>
    public static EmuProcess Start(string? display, params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.Latin1,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "emu.dll"));
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("WAYLAND_DISPLAY");
        if (display is null)
        {
            psi.Environment.Remove("DISPLAY");
        }
        else
        {
            psi.Environment["DISPLAY"] = display;
        }

        return new EmuProcess(Process.Start(psi) ?? throw new InvalidOperationException("could not start emu"));
    }

    /// <summary>Runs <c>emu</c> to its end with no display and an empty stdin.</summary>
    public static (int ExitCode, string Com1, string Errors) Run(params string[] args) => RunOn(null, args);

    /// <summary>Runs <c>emu</c> to its end with DISPLAY set to <paramref name="display"/> (unset when null) and an empty stdin.</summary>
    public static (int ExitCode, string Com1, string Errors) RunOn(string? display, params string[] args)
    {
        using EmuProcess emu = Start(display, args);
        emu.process.StandardInput.Close();
        int status = emu.WaitForExit();
        return (status, emu.Com1, emu.StandardError);
    }

    /// <summary>Waits until COM1's output contains <paramref name="text"/>; fails the test if it does not within a minute.</summary>
    public void WaitForCom1(string text, int occurrences = 1, TimeSpan? patience = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (patience ?? Patience))
        {
            if (Count(Com1, text) >= occurrences)
            {
                return;
            }

            if (process.HasExited)
            {
                break;
            }

            Thread.Sleep(50);
        }

        Assert.Fail($"COM1 never printed \"{text}\" ({occurrences}x).\n{Describe()}");
    }

    /// <summary>Waits until <paramref name="path"/> exists and is complete (emu writes it in one go).</summary>
    public void WaitForFile(string path)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience && !process.HasExited)
        {
            if (File.Exists(path) && new FileInfo(path).Length > 0)
            {
                // Let the writer close the file: a PNG ends with its IEND chunk.
                Thread.Sleep(200);
                return;
            }

            Thread.Sleep(50);
        }

        Assert.True(File.Exists(path), $"emu did not write {path}.\n{Describe()}");
    }

    /// <summary>Waits for emu to exit and returns its status; fails the test if it does not.</summary>
    public int WaitForExit()
    {
        if (!process.WaitForExit(Patience))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("emu did not exit.\n" + Describe());
        }

        process.WaitForExit();
        pumps.Wait(Patience);
        return process.ExitCode;
    }

    public string Describe() => $"emu's stderr:\n{StandardError}\nCOM1:\n{Com1}";

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    private static int Count(string haystack, string needle)
    {
        int n = 0;
        for (int at = haystack.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = haystack.IndexOf(needle, at + needle.Length, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    private static string DotnetHost()
    {
        string? host = Environment.ProcessPath;
        return host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : TestSupport.ExternalTool.Find("dotnet") ?? "dotnet";
    }

    private static async Task Pump(StreamReader reader, StringBuilder into)
    {
        char[] buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, n);
            }
        }
    }
}
