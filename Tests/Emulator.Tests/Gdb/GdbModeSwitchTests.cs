using System.Diagnostics;
using System.Text.RegularExpressions;
using TestSupport;

namespace Emulator.Tests.Gdb;

/// <summary>
/// Real gdb in batch mode on the 32-bit test kernel (Guest/tests/gdb32.S, ELF32 with symbols) that enters long
/// mode itself: a breakpoint in 32-bit code, registers, stepi (one iteration of a REP STOSB at a time), then a
/// breakpoint in 64-bit code. emu's target description follows the guest's mode each time gdb reads it (here on
/// every stop, through a hook-stop that runs `unset tdesc filename`; the kernel is loaded with `symbol-file`, so
/// gdb takes its architecture from the target): i386 in protected mode, i386:x86-64 in long mode. The same script
/// runs against QEMU's stub, whose description is always i386:x86-64 (QEMU 7.2's x86_64 stub serves one
/// description and zero-extends the 32-bit registers), so gdb shows 32-bit code there as 64-bit: the transcripts
/// agree once addresses are compared as numbers, except for those recorded departures.
/// </summary>
public partial class GdbModeSwitchTests
{
    private static string Kernel => RepoPaths.GuestImage("tests/gdb32.elf");

    [Theory]
    [InlineData("on")]
    [InlineData("off")]
    public void DescriptionFollowsTheModeAndAgreesWithQemu(string jit)
    {
        string gdb = ExternalTool.Require("gdb", "drives the stub in batch mode");
        int port = GdbHarness.FreePort();
        using Process emu = GdbHarness.StartEmu(port, [Kernel, "--jit", jit]);
        string transcript = RunGdb(gdb, port);
        Assert.True(emu.WaitForExit(GdbHarness.Timeout), "emu did not end after gdb continued to the end");
        Assert.Equal(1, emu.ExitCode); // debug-exit 0

        ulong count32 = Symbol("count32"), buffer = Symbol("buffer");
        string[] expected =
        [
            // In 32-bit code: the i386 description (EIP, 32-bit disassembly); stepi runs one REP iteration.
            "(currently \"i386\")",
            $"Breakpoint 1, 0x{count32:x8} in count32 ()",
            $"eip = 0x{count32:x}",
            "rep stos %al,%es:(%edi)",
            $"ecx = 0x4, edi = 0x{buffer:x}",
            $"ecx = 0x3, edi = 0x{buffer + 1:x}",
            "0x41\t0x00\t0x00\t0x00",

            // In long mode: i386:x86-64, read again at the stop.
            "(currently \"i386:x86-64\")",
            "movabs $0x1122334455667788,%rax",
            "rax            0x1122334455667788",
            "[Inferior 1 (Remote target) exited with code 01]",
        ];
        foreach (string line in expected)
        {
            Assert.Contains(line, transcript);
        }

        string qemu = RunOnQemu(gdb);
        Assert.Contains("rep stos %al,%es:(%rdi)", qemu); // QEMU: 32-bit code seen through the x86-64 description
        Assert.Contains("eip = void", qemu);
        Assert.Equal(Comparable(qemu), Comparable(transcript));
    }

    /// <summary>
    /// From the first breakpoint to the last register shown, addresses as numbers (i386 prints 8 digits, x86-64
    /// 16), without the recorded departures: the architecture lines, EIP (none in QEMU's description) and the
    /// disassembly of 32-bit code. Left out too: the start (QEMU starts in its BIOS, emu at the kernel's entry)
    /// and the end (emu reports the exit status; QEMU closes the connection).
    /// </summary>
    private static List<string> Comparable(string transcript)
    {
        (List<string> lines, int first, int last) = GdbHarness.Landmarks(transcript, l => l.StartsWith("rax ", StringComparison.Ordinal));
        return [.. lines[first..(last + 1)]
            .Where(l => !l.Contains("The target architecture", StringComparison.Ordinal) && !l.Contains("rep stos", StringComparison.Ordinal))
            .Select(l => EipField().Replace(LongAddress().Replace(l, "0x"), string.Empty))];
    }

    private static string RunOnQemu(string gdb) => GdbHarness.OnQemu(["-kernel", Kernel], port => RunGdb(gdb, port));

    private static string RunGdb(string gdb, int port) => GdbHarness.RunGdb(gdb, port, $"""
        set pagination off
        set confirm off
        set tcp connect-timeout 30
        define hook-stop
        unset tdesc filename
        end
        symbol-file {Kernel}
        target remote 127.0.0.1:{port}
        show architecture
        break count32
        continue
        bt 1
        info registers eax
        printf "eip = "
        output/x $eip
        echo \n
        stepi
        x/i $pc
        break fill32
        continue
        stepi 4
        x/i $pc
        printf "ecx = 0x%x, edi = 0x%x\n", $ecx, $edi
        stepi
        printf "ecx = 0x%x, edi = 0x%x\n", $ecx, $edi
        x/4xb &buffer
        break count64
        continue
        show architecture
        x/2i $pc
        stepi
        info registers rax
        continue

        """);

    private static ulong Symbol(string name) => GuestSymbols.Address(Kernel, name);

    // 0x0000000000100096 and 0x00100096 alike: the leading zeros of an address
    [GeneratedRegex(@"0x0+(?=[0-9a-f])")]
    private static partial Regex LongAddress();

    [GeneratedRegex(@"^eip = .*$")]
    private static partial Regex EipField();
}
