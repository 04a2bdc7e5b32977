using System.Diagnostics;
using TestSupport;

namespace Emulator.Tests.Display;

/// <summary>
/// A private Xvfb X server for one test class: picks a free display number, starts Xvfb on it and waits for
/// its socket. Skips the test (fails it under CI) when Xvfb is not installed.
/// </summary>
internal sealed class XvfbServer : IDisposable
{
    private readonly Process process;

    private XvfbServer(Process process, string display)
    {
        this.process = process;
        Display = display;
    }

    /// <summary>The display name to put in DISPLAY, e.g. ":93".</summary>
    public string Display { get; }

    public static XvfbServer Start(int width, int height)
    {
        string xvfb = ExternalTool.Require("Xvfb", "the window's end-to-end tests draw into a virtual X server");
        for (int number = 90 + (Environment.ProcessId % 50); ; number++)
        {
            if (number > 400)
            {
                throw new InvalidOperationException("no free X display number");
            }

            if (File.Exists($"/tmp/.X{number}-lock") || File.Exists($"/tmp/.X11-unix/X{number}"))
            {
                continue;
            }

            var psi = new ProcessStartInfo(xvfb)
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (string a in new[] { $":{number}", "-screen", "0", $"{width}x{height}x24", "-nolisten", "tcp" })
            {
                psi.ArgumentList.Add(a);
            }

            var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start Xvfb");
            p.BeginErrorReadLine();
            p.BeginOutputReadLine();
            var deadline = Stopwatch.StartNew();
            while (!p.HasExited && !File.Exists($"/tmp/.X11-unix/X{number}") && deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                Thread.Sleep(50);
            }

            if (!p.HasExited && File.Exists($"/tmp/.X11-unix/X{number}"))
            {
                return new XvfbServer(p, $":{number}");
            }

            // Lost a race for this number (or Xvfb failed): try the next one.
            if (!p.HasExited)
            {
                p.Kill();
            }

            p.Dispose();
        }
    }

    /// <summary>Runs xdotool against this X server; with no window manager, keys go to the window under the pointer.</summary>
    public void Xdotool(string xdotool, params string[] args)
    {
        var psi = new ProcessStartInfo(xdotool) { UseShellExecute = false, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DISPLAY"] = Display;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start xdotool");
        string errors = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(30)), "xdotool hung");
        Assert.True(p.ExitCode == 0, "xdotool failed: " + errors);
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }

        process.Dispose();
    }
}
