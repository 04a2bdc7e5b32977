using System.Diagnostics;
using Xunit;

namespace TestSupport;

/// <summary>
/// Finds external tools (qemu-system-x86_64, gdb, xvfb-run) and skips a test when one is absent.
/// Under CI=true a missing tool fails the test instead: CI must install everything the tests use.
/// </summary>
public static class ExternalTool
{
    /// <summary>True when running in CI (the CI environment variable is "true").</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of a program on PATH, or null.</summary>
    public static string? Find(string name)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (string dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Returns the tool's path; skips the test (fails it under CI) when it is not installed.</summary>
    public static string Require(string name, string why)
    {
        string? found = Find(name);
        if (found is not null)
        {
            return found;
        }

        string reason = $"{name} is not installed ({why})";
        if (InCi)
        {
            Assert.Fail(reason + "; CI must install it");
        }

        Assert.Skip(reason);
        return string.Empty;
    }

    /// <summary>Runs a process to completion with a timeout and returns its exit code and output.</summary>
    public static ProcessResult Run(string file, IEnumerable<string> args, TimeSpan timeout, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
        }

        p.StandardInput.Close();
        bool exited = p.WaitForExit(timeout);
        if (!exited)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }

        return new ProcessResult(exited ? p.ExitCode : -1, stdout.Result, stderr.Result, !exited);
    }
}
