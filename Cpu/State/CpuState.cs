namespace Cpu.State;

/// <summary>
/// The architectural state of one x86-64 processor. The machine sets it for boot (for example the
/// multiboot entry state); the interpreter and the JIT read and write it.
/// </summary>
public sealed class CpuState
{
    /// <summary>RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15, in encoding order.</summary>
    public readonly ulong[] Gpr = new ulong[16];

    public ulong Rip;

    public SegmentRegister Es, Cs, Ss, Ds, Fs, Gs;
    public SegmentRegister Ldtr, Tr;
    public ulong GdtrBase, IdtrBase;
    public ushort GdtrLimit, IdtrLimit;

    public ulong Cr0, Cr2, Cr3, Cr4;
    public ulong Efer;
}
