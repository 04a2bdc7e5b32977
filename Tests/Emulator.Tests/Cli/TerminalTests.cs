using Emulator.Tests.Support;
using TestSupport;

namespace Emulator.Tests.Cli;

/// <summary>
/// emu on a terminal (issue 14 item 3), driven through a pseudo-terminal by Scripts/terminal-session.py: raw mode
/// while it runs, keys (Ctrl-C, arrows) to the guest, QEMU's Ctrl-A h and Ctrl-A x, and the terminal's settings
/// restored at exit.
/// </summary>
public class TerminalTests
{
    [Fact]
    public void RawTerminalWithQemuEscapes()
    {
        string python = ExternalTool.Require("python3", "drives emu through a pseudo-terminal");
        string script = Path.Combine(RepoPaths.Root, "Tests", "Emulator.Tests", "Cli", "Scripts", "terminal-session.py");
        string dll = Path.Combine(AppContext.BaseDirectory, "emu.dll");
        ProcessResult r = ExternalTool.Run(python, [script, EmuProcess.Dotnet, dll, "--display", "none"], TimeSpan.FromSeconds(300));
        string report = r.StandardOutput + r.StandardError;
        foreach (string fact in new[]
        {
            "prompt: True", "raw while running: True", "help answered: True", "alive after ctrl-c: True",
            "escape help: True", "status after ctrl-a x: 0", "terminal restored: True",
        })
        {
            Assert.True(report.Contains(fact, StringComparison.Ordinal), $"expected \"{fact}\":\n{report}");
        }
    }
}
