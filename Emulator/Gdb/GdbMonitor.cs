using System.Globalization;
using System.Text;
using Cpu.State;
using Emulator.Machines;

namespace Emulator.Gdb;

/// <summary>
/// gdb's <c>monitor</c> commands (<c>qRcmd</c>): <c>info registers</c>, <c>stats</c> (the counters of
/// DESIGN.md section 8, so the cost of what ran between two stops can be read off), <c>phys ADDR LEN</c>
/// (physical memory, bypassing paging) and <c>help</c>.
/// </summary>
public static class GdbMonitor
{
    public const string Help =
        "monitor commands:\n" +
        "  info registers   all CPU state, with segment bases and system registers\n" +
        "  stats            the machine's counters (instructions, transitions, CR3 writes, TLB, ...)\n" +
        "  phys ADDR LEN    physical memory (hex bytes), bypassing paging\n" +
        "  help             this list\n";

    public static string Run(Machine machine, string command)
    {
        string[] words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return words switch
        {
            ["info", "registers"] or ["info", "reg"] => Registers(machine),
            ["stats"] => machine.Counters.ToText(),
            ["phys", string a, string l] => Physical(machine, a, l),
            ["help"] or [] => Help,
            _ => $"unknown monitor command '{command}'\n" + Help,
        };
    }

    private static string Registers(Machine machine)
    {
        CpuState s = machine.Processor.State;
        var t = new StringBuilder();
        string[] names = ["RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"];
        for (int i = 0; i < 16; i++)
        {
            t.Append(CultureInfo.InvariantCulture, $"{names[i],-3}={s.Gpr[i]:x16}{(i % 4 == 3 ? "\n" : " ")}");
        }

        t.Append(CultureInfo.InvariantCulture, $"RIP={s.Rip:x16} RFL={s.Rflags:x8} CPL={s.Cpl}\n");
        string[] segments = ["ES", "CS", "SS", "DS", "FS", "GS"];
        for (int i = 0; i < 6; i++)
        {
            SegmentRegister r = s.Segments[i];
            t.Append(CultureInfo.InvariantCulture, $"{segments[i]} ={r.Selector:x4} {r.Base:x16} {r.Limit:x8} {r.Attributes:x4}\n");
        }

        t.Append(CultureInfo.InvariantCulture, $"LDT={s.Ldtr.Selector:x4} {s.Ldtr.Base:x16} {s.Ldtr.Limit:x8}\n");
        t.Append(CultureInfo.InvariantCulture, $"TR ={s.Tr.Selector:x4} {s.Tr.Base:x16} {s.Tr.Limit:x8}\n");
        t.Append(CultureInfo.InvariantCulture, $"GDT=     {s.GdtrBase:x16} {s.GdtrLimit:x8}\nIDT=     {s.IdtrBase:x16} {s.IdtrLimit:x8}\n");
        t.Append(CultureInfo.InvariantCulture, $"CR0={s.Cr0:x8} CR2={s.Cr2:x16} CR3={s.Cr3:x16} CR4={s.Cr4:x8}\n");
        ulong[] dr = machine.Processor.SystemRegisters.Debug;
        t.Append(CultureInfo.InvariantCulture, $"DR0={dr[0]:x16} DR1={dr[1]:x16} DR2={dr[2]:x16} DR3={dr[3]:x16}\n");
        t.Append(CultureInfo.InvariantCulture, $"DR6={dr[6]:x16} DR7={dr[7]:x16}\n");
        t.Append(CultureInfo.InvariantCulture, $"EFER={s.Efer:x16} KERNEL_GS_BASE={machine.Processor.SystemRegisters.Msr.KernelGsBase:x16}\n");
        t.Append(CultureInfo.InvariantCulture, $"instructions retired={machine.Processor.InstructionsRetired}\n");
        return t.ToString();
    }

    private static string Physical(Machine machine, string addressText, string lengthText)
    {
        if (!TryParse(addressText, out ulong address) || !TryParse(lengthText, out ulong length) || length > 4096)
        {
            return "usage: phys ADDR LEN (hex with 0x or decimal; LEN at most 4096)\n";
        }

        var t = new StringBuilder();
        for (ulong i = 0; i < length; i++)
        {
            if (i % 16 == 0)
            {
                t.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? string.Empty : "\n")}{address + i:x16}:");
            }

            t.Append(CultureInfo.InvariantCulture, $" {machine.Bus.Read(address + i, 1):x2}");
        }

        return t.Append('\n').ToString();
    }

    private static bool TryParse(string text, out ulong value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
