using System.Text;
using Devices.Timing;
using Emulator.Machines;
using Guest.Tests.Emu;
using TestSupport;

namespace Guest.Tests.Mica;

/// <summary>
/// The shell on serial: without test=, Mica boots to sh; typed lines reach it through uartd's
/// interrupt-driven receive, and `poweroff` leaves through isa-debug-exit.
/// </summary>
public class MicaShellTests
{
    [Fact]
    public void ShellRunsCommandsTypedOnCom1()
    {
        string qemu = ExternalTool.Require("qemu-system-x86_64", "the reference platform for guest tests");
        string[] args =
        [
            "-kernel", RepoPaths.GuestImage("mica.elf"), "-initrd", RepoPaths.GuestImage("initfs.tar"),
            "-serial", "stdio", "-display", "none", "-vga", "std", "-no-reboot", "-m", "256M",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        ];
        // Everything is typed before the machine starts: uartd keeps what arrived before it ran (the kernel's console
        // leaves the FIFOs off, and uartd drains the receiver before turning them on, which clears them).
        ProcessResult r = ExternalTool.Run(qemu, args, TimeSpan.FromSeconds(60), Typed);
        string com1 = r.StandardOutput.Replace("\r", string.Empty, StringComparison.Ordinal);
        Assert.False(r.TimedOut, "the shell did not power off; COM1 said:\n" + com1);
        Assert.Equal(1, r.ExitCode);
        AssertTheShellAnswered(com1);
    }

    [Fact]
    public void ShellRunsCommandsTypedOnCom1BeforeBootOnEmu()
    {
        MachineConfiguration config = MicaMachine.Configuration(ClockMode.Deterministic);
        using var machine = new Machine(config);
        machine.Serial.EnqueueInput(Encoding.ASCII.GetBytes(Typed));
        RunResult result = machine.RunUntil(RunCondition.Timeout(TimeSpan.FromSeconds(120)));
        string com1 = machine.SerialTranscript.Replace("\r", string.Empty, StringComparison.Ordinal);
        Assert.True(result.Cause == StopCause.DebugExit, $"the shell did not power off ({result.Cause}); COM1 said:\n" + com1);
        AssertTheShellAnswered(com1);
    }

    private const string Typed = "echo hello from COM1\rls\rcat init.rc\rps\ruptime\rnosuch\rhelp\rdrvctl help\rpoweroff\r";

    private static void AssertTheShellAnswered(string com1)
    {
        Assert.Contains("mica: system ready", com1);
        Assert.Contains("\nhello from COM1\n", com1);
        Assert.Contains("\nuartd\n", com1);                        // ls
        Assert.Contains("driver uartd io=0x3f8:8 irq=4", com1);    // cat init.rc
        Assert.Matches(@"\d+\s+\d+\s+\d+\s+\w+\s+\d+ uartd", com1); // ps
        Assert.Matches(@"up \d+\.\d{3} s", com1);                  // uptime
        Assert.Contains("nosuch: unknown command", com1);
        Assert.Contains("drvctl help|list|restart|stop|start NAME", com1); // help lists every command
        Assert.Contains("drvctl list | restart NAME", com1);               // drvctl help
        Assert.Contains("mica: power off", com1);
    }
}
