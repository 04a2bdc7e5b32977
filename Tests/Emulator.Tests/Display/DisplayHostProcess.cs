using System.Collections.Concurrent;
using System.Diagnostics;

namespace Emulator.Tests.Display;

/// <summary>Runs Tests/DisplayHost as a child process on a given X display and talks to it line by line.</summary>
internal sealed class DisplayHostProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Process process;
    private readonly BlockingCollection<string> lines = [];
    private readonly ConcurrentQueue<string> seen = new();

    private DisplayHostProcess(Process process)
    {
        this.process = process;
    }

    /// <summary>Everything the host printed so far, for failure messages.</summary>
    public string Transcript => string.Join('\n', seen);

    /// <summary>Starts the host with DISPLAY set to <paramref name="display"/> (or with no display at all when null).</summary>
    public static DisplayHostProcess Start(string? display, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "DisplayHost.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(dll);
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

        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start DisplayHost");
        var host = new DisplayHostProcess(p);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                host.lines.CompleteAdding();
                return;
            }

            host.seen.Enqueue(e.Data);
            host.lines.Add(e.Data);
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                host.seen.Enqueue("stderr: " + e.Data);
            }
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return host;
    }

    /// <summary>Sends one command line to the host.</summary>
    public void Send(string command)
    {
        process.StandardInput.WriteLine(command);
        process.StandardInput.Flush();
    }

    /// <summary>Waits for the next line starting with <paramref name="prefix"/>, skipping others; fails the test if none comes.</summary>
    public string WaitFor(string prefix)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            if (!lines.TryTake(out string? line, TimeSpan.FromMilliseconds(200)))
            {
                if (lines.IsCompleted)
                {
                    break;
                }

                continue;
            }

            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }

        Assert.Fail($"DisplayHost never printed \"{prefix}\". It printed:\n{Transcript}");
        return string.Empty;
    }

    /// <summary>Waits for the host to exit and returns its status.</summary>
    public int WaitForExit()
    {
        if (!process.WaitForExit(Patience))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("DisplayHost did not exit. It printed:\n" + Transcript);
        }

        process.WaitForExit();
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
        lines.Dispose();
    }
}
