namespace Cpu.State;

/// <summary>
/// The architectural state of one x86-64 processor. The machine sets it for boot (for example the
/// multiboot entry state); the interpreter and the JIT read and write it.
/// </summary>
public sealed class CpuState
{
    /// <summary>RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15, in encoding order.</summary>
    public readonly ulong[] Gpr = new ulong[16];

    /// <summary>ES, CS, SS, DS, FS, GS, in encoding order (see <see cref="SegmentIndex"/>).</summary>
    public readonly SegmentRegister[] Segments = new SegmentRegister[6];

    public ulong Rip;

    public SegmentRegister Ldtr;
    public SegmentRegister Tr;
    public ulong GdtrBase;
    public ulong IdtrBase;
    public ushort GdtrLimit;
    public ushort IdtrLimit;

    public ulong Cr0;
    public ulong Cr2;
    public ulong Cr3;
    public ulong Cr4;
    public ulong Efer;

    /// <summary>The full RFLAGS. The lazy-flag machinery keeps it current when read and applies it when written.</summary>
    public ulong Rflags { get; set; } = 0x2;

    /// <summary>The current privilege level (CS.RPL outside real mode).</summary>
    public int Cpl => Segments[SegmentIndex.Cs].Selector & 3;
}
