using System.Diagnostics;
using TestSupport;

namespace Emulator.Tests.Cli;

/// <summary>The `emu` program as a user meets it: help, and one clear line for bad input.</summary>
public class CommandLineTests
{
    private static ProcessResult Emu(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "emu.dll");
        string dotnet = Process.GetCurrentProcess().MainModule?.FileName ?? "dotnet";
        if (!Path.GetFileNameWithoutExtension(dotnet).Equals("dotnet", StringComparison.Ordinal))
        {
            dotnet = ExternalTool.Find("dotnet") ?? "dotnet";
        }

        return ExternalTool.Run(dotnet, [dll, .. args], TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void HelpPrintsUsage()
    {
        ProcessResult r = Emu("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("run", r.StandardOutput);
    }

    [Fact]
    public void UnknownFlagIsOneLineAndNonZero()
    {
        ProcessResult r = Emu("run", "--no-such-flag");
        Assert.NotEqual(0, r.ExitCode);
        Assert.DoesNotContain("   at ", r.StandardError);
        Assert.Single(r.StandardError.Trim().Split('\n'));
    }
}
