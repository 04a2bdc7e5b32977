using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using Cpu;
using Cpu.State;

namespace Emulator.Gdb;

/// <summary>
/// The registers of the two target descriptions, in gdb's numbering: the <c>g</c> packet, <c>p</c>/<c>P</c>
/// and the XML all come from these lists. The core features follow gdb's i386 and amd64 layouts (general
/// registers, then the x87 stack and its control registers), then the SSE feature (XMM registers and MXCSR),
/// then FS/GS bases and the system registers, in the order QEMU's stub serves them.
/// </summary>
public sealed class GdbRegisterSet
{
    public const string Core = "org.gnu.gdb.i386.core";
    public const string Segments = "org.gnu.gdb.i386.segments";
    public const string System = "org.gnu.gdb.i386.sys";
    public const string Sse = "org.gnu.gdb.i386.sse";

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
            list.Add(GdbRegister.Scalar(name, 64, type, Core, p => p.State.Gpr[g], (p, v) => p.State.Gpr[g] = v));
        }

        list.Add(GdbRegister.Scalar("rip", 64, "code_ptr", Core, p => p.State.Rip, (p, v) => p.State.Rip = v));
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
            list.Add(GdbRegister.Scalar(names[i], 32, type, Core, p => (uint)p.State.Gpr[g], (p, v) => p.State.Gpr[g] = (uint)v));
        }

        list.Add(GdbRegister.Scalar("eip", 32, "code_ptr", Core, p => (uint)p.State.Rip, (p, v) => p.State.Rip = (uint)v));
        AddCommon(list, 32);
        return list;
    }

    private static void AddCommon(List<GdbRegister> list, int width)
    {
        list.Add(GdbRegister.Scalar("eflags", 32, "i386_eflags", Core, p => p.State.Rflags, (p, v) => p.State.Rflags = v));
        string[] segments = ["cs", "ss", "ds", "es", "fs", "gs"];
        int[] segmentIndex = [SegmentIndex.Cs, SegmentIndex.Ss, SegmentIndex.Ds, SegmentIndex.Es, SegmentIndex.Fs, SegmentIndex.Gs];
        for (int i = 0; i < segments.Length; i++)
        {
            int s = segmentIndex[i];
            list.Add(GdbRegister.Scalar(segments[i], 32, "int32", Core, p => p.State.Segments[s].Selector, null));
        }

        // The x87 registers in stack order (ST(i) is physical register TOP + i), and its control registers.
        for (int i = 0; i < 8; i++)
        {
            int st = i;
            list.Add(new GdbRegister("st" + i, 80, "i387_ext", Core, p => ReadSt(p, st), (p, b) => WriteSt(p, st, b)));
        }

        list.Add(GdbRegister.Scalar("fctrl", 32, "int", Core, p => p.State.X87.Control, (p, v) => p.State.X87.Control = (ushort)v));
        list.Add(GdbRegister.Scalar("fstat", 32, "int", Core, p => p.State.X87.Status, (p, v) => p.State.X87.Status = (ushort)v));
        list.Add(GdbRegister.Scalar("ftag", 32, "int", Core, p => p.State.X87.Tag, (p, v) => p.State.X87.Tag = (ushort)v));
        list.Add(GdbRegister.Scalar("fiseg", 32, "int", Core, p => p.State.X87.CodeSelector, (p, v) => p.State.X87.CodeSelector = (ushort)v));
        list.Add(GdbRegister.Scalar("fioff", 32, "int", Core, p => (uint)p.State.X87.InstructionPointer, (p, v) => p.State.X87.InstructionPointer = (uint)v));
        list.Add(GdbRegister.Scalar("foseg", 32, "int", Core, p => p.State.X87.DataSelector, (p, v) => p.State.X87.DataSelector = (ushort)v));
        list.Add(GdbRegister.Scalar("fooff", 32, "int", Core, p => (uint)p.State.X87.DataPointer, (p, v) => p.State.X87.DataPointer = (uint)v));
        list.Add(GdbRegister.Scalar("fop", 32, "int", Core, p => p.State.X87.Opcode, (p, v) => p.State.X87.Opcode = (ushort)(v & 0x7FF)));

        // gdb's SSE feature: XMM0-7 (i386) or XMM0-15 (amd64), then MXCSR.
        for (int i = 0; i < (width == 64 ? 16 : 8); i++)
        {
            int x = i;
            list.Add(new GdbRegister("xmm" + i, 128, "vec128", Sse, p => ReadXmm(p, x), (p, b) => WriteXmm(p, x, b)));
        }

        list.Add(GdbRegister.Scalar("mxcsr", 32, "i386_mxcsr", Sse, p => p.State.Mxcsr, (p, v) => p.State.Mxcsr = (uint)v & MxcsrBits.Writable));

        // gdb numbers the segments feature only for amd64 (and i386 GNU/Linux): a bare i386 target that has it
        // stops gdb 13 on an internal error, so there the bases go with the system registers.
        string ptr = width == 64 ? "int64" : "int32";
        string bases = width == 64 ? Segments : System;
        list.Add(GdbRegister.Scalar("fs_base", width, ptr, bases, p => p.State.Segments[SegmentIndex.Fs].Base, (p, v) => p.State.Segments[SegmentIndex.Fs].Base = v));
        list.Add(GdbRegister.Scalar("gs_base", width, ptr, bases, p => p.State.Segments[SegmentIndex.Gs].Base, (p, v) => p.State.Segments[SegmentIndex.Gs].Base = v));
        if (width == 64)
        {
            list.Add(GdbRegister.Scalar("k_gs_base", 64, "int64", Segments, p => p.SystemRegisters.Msr.KernelGsBase, (p, v) => p.SystemRegisters.Msr.KernelGsBase = v));
        }

        list.Add(GdbRegister.Scalar("cr0", width, ptr, System, p => p.State.Cr0, null));
        list.Add(GdbRegister.Scalar("cr2", width, ptr, System, p => p.State.Cr2, (p, v) => p.State.Cr2 = v));
        list.Add(GdbRegister.Scalar("cr3", width, ptr, System, p => p.State.Cr3, null));
        list.Add(GdbRegister.Scalar("cr4", width, ptr, System, p => p.State.Cr4, null));
        if (width == 64)
        {
            list.Add(GdbRegister.Scalar("cr8", 64, "int64", System, p => p.SystemRegisters.Cr8, null));
        }

        list.Add(GdbRegister.Scalar("efer", 64, "int64", System, p => p.State.Efer, null));
    }

    /// <summary>ST(<paramref name="i"/>) as gdb's i387_ext: the 64-bit significand, then sign and exponent.</summary>
    private static byte[] ReadSt(Processor p, int i)
    {
        Float80 v = p.State.X87.Registers[p.State.X87.Physical(i)];
        var b = new byte[10];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v.Significand);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), v.SignExponent);
        return b;
    }

    /// <summary>Writes ST(<paramref name="i"/>); the tag word is left alone, as on QEMU.</summary>
    private static void WriteSt(Processor p, int i, byte[] b)
    {
        if (b.Length >= 10)
        {
            p.State.X87.Registers[p.State.X87.Physical(i)] = new Float80(BinaryPrimitives.ReadUInt64LittleEndian(b), BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8)));
        }
    }

    private static byte[] ReadXmm(Processor p, int x)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(b, p.State.Xmm[x].GetElement(0));
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), p.State.Xmm[x].GetElement(1));
        return b;
    }

    private static void WriteXmm(Processor p, int x, byte[] b)
    {
        if (b.Length >= 16)
        {
            p.State.Xmm[x] = Vector128.Create(BinaryPrimitives.ReadUInt64LittleEndian(b), BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(8)));
        }
    }
}
