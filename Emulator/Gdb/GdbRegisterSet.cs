using Cpu.State;

namespace Emulator.Gdb;

/// <summary>
/// The registers of the two target descriptions, in gdb's numbering: the <c>g</c> packet, <c>p</c>/<c>P</c>
/// and the XML all come from these lists. The core features follow gdb's i386 and amd64 layouts (the
/// x87 registers are required there; emu has no x87 yet, so they read as the reset state and ignore
/// writes), then FS/GS bases and the system registers as QEMU's stub adds them.
/// </summary>
public sealed class GdbRegisterSet
{
    public const string Core = "org.gnu.gdb.i386.core";
    public const string Segments = "org.gnu.gdb.i386.segments";
    public const string System = "org.gnu.gdb.i386.sys";

    private GdbRegisterSet(string architecture, IReadOnlyList<GdbRegister> registers)
    {
        Architecture = architecture;
        Registers = registers;
    }

    /// <summary>64-bit: gdb's <c>i386:x86-64</c>.</summary>
    public static GdbRegisterSet Amd64 { get; } = new("i386:x86-64", BuildAmd64());

    /// <summary>32-bit protected (and real) mode: gdb's <c>i386</c>.</summary>
    public static GdbRegisterSet I386 { get; } = new("i386", BuildI386());

    public string Architecture { get; }

    public IReadOnlyList<GdbRegister> Registers { get; }

    /// <summary>The size in bytes of the <c>g</c> packet's data.</summary>
    public int TotalBytes => Registers.Sum(r => r.Bytes);

    private static List<GdbRegister> BuildAmd64()
    {
        // gdb's amd64 order, by emu's GPR index (x86 encoding: rax rcx rdx rbx rsp rbp rsi rdi r8-r15).
        string[] names = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"];
        int[] index = [0, 3, 1, 2, 6, 7, 5, 4];
        var list = new List<GdbRegister>();
        for (int i = 0; i < 16; i++)
        {
            int g = i < 8 ? index[i] : i;
            string name = i < 8 ? names[i] : "r" + i;
            string type = name is "rsp" or "rbp" ? "data_ptr" : "int64";
            list.Add(new GdbRegister(name, 64, type, Core, p => p.State.Gpr[g], (p, v) => p.State.Gpr[g] = v));
        }

        list.Add(new GdbRegister("rip", 64, "code_ptr", Core, p => p.State.Rip, (p, v) => p.State.Rip = v));
        AddCommon(list, 64);
        return list;
    }

    private static List<GdbRegister> BuildI386()
    {
        string[] names = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
        var list = new List<GdbRegister>();
        for (int i = 0; i < 8; i++)
        {
            int g = i;
            string type = names[i] is "esp" or "ebp" ? "data_ptr" : "int32";
            list.Add(new GdbRegister(names[i], 32, type, Core, p => (uint)p.State.Gpr[g], (p, v) => p.State.Gpr[g] = (uint)v));
        }

        list.Add(new GdbRegister("eip", 32, "code_ptr", Core, p => (uint)p.State.Rip, (p, v) => p.State.Rip = (uint)v));
        AddCommon(list, 32);
        return list;
    }

    private static void AddCommon(List<GdbRegister> list, int width)
    {
        list.Add(new GdbRegister("eflags", 32, "i386_eflags", Core, p => p.State.Rflags, (p, v) => p.State.Rflags = v));
        string[] segments = ["cs", "ss", "ds", "es", "fs", "gs"];
        int[] segmentIndex = [SegmentIndex.Cs, SegmentIndex.Ss, SegmentIndex.Ds, SegmentIndex.Es, SegmentIndex.Fs, SegmentIndex.Gs];
        for (int i = 0; i < segments.Length; i++)
        {
            int s = segmentIndex[i];
            list.Add(new GdbRegister(segments[i], 32, "int32", Core, p => p.State.Segments[s].Selector, null));
        }

        for (int i = 0; i < 8; i++)
        {
            list.Add(new GdbRegister("st" + i, 80, "i387_ext", Core, _ => 0, null));
        }

        // FCW as FNINIT leaves it; the rest zero.
        list.Add(new GdbRegister("fctrl", 32, "int", Core, _ => 0x37F, null));
        foreach (string name in new[] { "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop" })
        {
            list.Add(new GdbRegister(name, 32, "int", Core, _ => name == "ftag" ? 0xFFFFUL : 0, null));
        }

        string ptr = width == 64 ? "int64" : "int32";
        list.Add(new GdbRegister("fs_base", width, ptr, Segments, p => p.State.Segments[SegmentIndex.Fs].Base, (p, v) => p.State.Segments[SegmentIndex.Fs].Base = v));
        list.Add(new GdbRegister("gs_base", width, ptr, Segments, p => p.State.Segments[SegmentIndex.Gs].Base, (p, v) => p.State.Segments[SegmentIndex.Gs].Base = v));
        if (width == 64)
        {
            list.Add(new GdbRegister("k_gs_base", 64, "int64", Segments, p => p.SystemRegisters.Msr.KernelGsBase, (p, v) => p.SystemRegisters.Msr.KernelGsBase = v));
        }

        list.Add(new GdbRegister("cr0", width, ptr, System, p => p.State.Cr0, null));
        list.Add(new GdbRegister("cr2", width, ptr, System, p => p.State.Cr2, (p, v) => p.State.Cr2 = v));
        list.Add(new GdbRegister("cr3", width, ptr, System, p => p.State.Cr3, null));
        list.Add(new GdbRegister("cr4", width, ptr, System, p => p.State.Cr4, null));
        if (width == 64)
        {
            list.Add(new GdbRegister("cr8", 64, "int64", System, p => p.SystemRegisters.Cr8, null));
        }

        list.Add(new GdbRegister("efer", 64, "int64", System, p => p.State.Efer, null));
    }
}
