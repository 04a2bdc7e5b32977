using System.Diagnostics;
using System.Text.RegularExpressions;
using TestSupport;

namespace Emulator.Tests.Gdb;

/// <summary>
/// Real gdb in batch mode against `emu run --gdb tcp::PORT --gdb-wait` on Mica's kernel with its symbols, and
/// the same script against QEMU's stub (`-gdb tcp::PORT -S`): breakpoints in the kernel and in a user-space
/// driver, bt, registers (XMM0, ST0 and MXCSR included, the first two set from gdb and read back), memory,
/// a hardware watchpoint on a kernel variable, finish, stepi across SYSCALL, continue to the end. The two transcripts agree except where the machines legitimately differ.
/// </summary>
public partial class GdbBatchTests
{
    [Theory]
    [InlineData("on")]
    [InlineData("off")]
    public void MicaUnderGdbOnEmuMatchesQemu(string jit)
    {
        string gdb = ExternalTool.Require("gdb", "drives the stub in batch mode");
        int port = GdbHarness.FreePort();
        using Process emu = GdbHarness.StartEmu(port,
            [RepoPaths.GuestImage("mica.elf"), "--initrd", RepoPaths.GuestImage("initfs.tar"), "--append", "test=boot", "--jit", jit]);
        string transcript = RunGdb(gdb, port);
        Assert.True(emu.WaitForExit(GdbHarness.Timeout), "emu did not end after gdb continued to the end");
        Assert.Equal(1, emu.ExitCode); // test=boot passed: debug-exit 0

        Assert.Contains("Breakpoint 1, 0xffffffff801035a0 in kmain ()".Replace("ffffffff801035a0", $"{Symbol("kmain"):x}"), transcript);
        Assert.Contains("Hardware watchpoint 3: *(unsigned long *)&frames_free", transcript);
        Assert.Contains("v2_int64 = {0x3ff8000000000000, 0x1122334455667788}", transcript); // set, then read back
        Assert.Contains("$1 = 1.5", transcript);
        Assert.Contains("$2 = 2.5", transcript);
        Assert.Contains("Old value = 0", transcript);
        Assert.Contains(" in service ()", transcript);
        Assert.Contains(" in syscall6 ()", transcript);
        Assert.Contains("<syscall_entry>", transcript);
        Assert.Contains("[Inferior 1 (Remote target) exited with code 01]", transcript);

        Assert.Single(transcript.Split('\n'), l => l.StartsWith("Breakpoint 1, ", StringComparison.Ordinal));
        string qemuTranscript = RunOnQemu(gdb);
        if (StopsTwiceAtTheFirstBreakpoint(qemuTranscript))
        {
            // Seen once in a loaded CI run: QEMU 7.2's stub reported breakpoint 1 (kmain) again on the continue after
            // it, although only five OUTs lie between kmain and the kprintf breakpoint; the reference run is repeated.
            qemuTranscript = RunOnQemu(gdb);
        }

        Assert.Equal(Comparable(qemuTranscript), Comparable(transcript));
    }

    /// <summary>
    /// The part of a transcript both machines must agree on: from the first breakpoint to the last stop. Left out:
    /// QEMU starts in its BIOS (emu at the kernel's entry), the stack words under kmain's return address and the
    /// free-frame count hold what each loader left (module placement), and the end (emu reports the exit
    /// status; QEMU closes the connection).
    /// </summary>
    private static List<string> Comparable(string transcript)
    {
        (List<string> lines, int first, int last) = GdbHarness.Landmarks(transcript, l => l.Contains("<syscall_entry>", StringComparison.Ordinal));
        // x/8gx $rsp prints lines "ADDRESS:\tWORD\tWORD": of those only the first word, kmain's return address, is
        // the kernel's own; the stack's address itself moves with the kernel's layout and is compared as printed.
        int dump = lines.FindIndex(first, l => StackDump().IsMatch(l));
        Assert.True(dump >= 0, "transcript lacks the stack dump:\n" + transcript);
        return [.. lines[first..(last + 1)]
            .Select((l, i) => i + first == dump ? string.Join('\t', l.Split('\t')[..2]) : l)
            .Where((l, i) => i + first == dump || !StackDump().IsMatch(l))
            .Where(l => !l.StartsWith("New value = ", StringComparison.Ordinal))];
    }

    private static bool StopsTwiceAtTheFirstBreakpoint(string transcript) =>
        transcript.Split('\n').Count(l => l.StartsWith("Breakpoint 1, ", StringComparison.Ordinal)) > 1;

    private static string RunOnQemu(string gdb) => GdbHarness.OnQemu(
        ["-kernel", RepoPaths.GuestImage("mica.elf"), "-initrd", RepoPaths.GuestImage("initfs.tar"), "-append", "test=boot"],
        port => RunGdb(gdb, port));

    private static string RunGdb(string gdb, int port)
    {
        string uartd = RepoPaths.GuestImage("user/uartd");
        ulong service = GuestSymbols.Address(uartd, "service");
        uint serviceCode = BitConverter.ToUInt32(GuestSymbols.BytesAt(uartd, service, 4));
        ulong syscall6 = GuestSymbols.Address(uartd, "syscall6");
        byte[] body = GuestSymbols.BytesAt(uartd, syscall6, 64);
        int at = Enumerable.Range(0, body.Length - 1).First(i => body[i] == 0x0F && body[i + 1] == 0x05);
        return GdbHarness.RunGdb(gdb, port, $"""
            set pagination off
            set confirm off
            set tcp connect-timeout 30
            target remote 127.0.0.1:{port}
            break kmain
            continue
            bt 1
            info registers rip rsp
            x/8gx $rsp
            set $xmm0.v2_int64[0] = 0x3ff8000000000000
            set $xmm0.v2_int64[1] = 0x1122334455667788
            info registers xmm0
            p $xmm0.v2_double[0]
            set $st0 = 2.5
            p $st0
            info registers mxcsr
            break kprintf
            continue
            finish
            delete
            watch *(unsigned long *)&frames_free
            continue
            delete
            add-symbol-file {uartd}
            break service if *(unsigned int *)$pc == 0x{serviceCode:x}
            continue
            bt 1
            delete
            break *0x{syscall6 + (ulong)at:x} if *(unsigned short *)$pc == 0x050f
            continue
            info registers rip
            stepi
            info registers rip
            delete
            continue

            """, RepoPaths.GuestImage("mica.elf"));
    }

    private static ulong Symbol(string name) => GuestSymbols.Address(RepoPaths.GuestImage("mica.elf"), name);

    [GeneratedRegex(@"^0x[0-9a-f]+:\t0x[0-9a-f]+\t")]
    private static partial Regex StackDump();
}
