using System.Diagnostics;
using TestSupport;

namespace Emulator.Tests.Support;

/// <summary>Runs the built `emu` program (emu.dll next to the tests) as a user would, stdin empty unless given.</summary>
public static class EmuProcess
{
    public static ProcessResult Run(params string[] args) => Run(args, TimeSpan.FromSeconds(60));

    public static ProcessResult Run(IEnumerable<string> args, TimeSpan timeout, string stdin = "")
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "emu.dll");
        return ExternalTool.Run(Dotnet, [dll, .. args], timeout, stdin: stdin);
    }

    /// <summary>The dotnet host running the tests (so emu runs on the same runtime).</summary>
    public static string Dotnet
    {
        get
        {
            string dotnet = Process.GetCurrentProcess().MainModule?.FileName ?? "dotnet";
            return Path.GetFileNameWithoutExtension(dotnet).Equals("dotnet", StringComparison.Ordinal)
                ? dotnet
                : ExternalTool.Find("dotnet") ?? "dotnet";
        }
    }
}
