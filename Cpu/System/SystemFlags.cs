using Cpu.State;

namespace Cpu.System;

/// <summary>RFLAGS bits by the names the system instructions use; the bits themselves are <see cref="Rflag"/>'s.</summary>
public static class SystemFlags
{
    public const ulong Carry = Rflag.CF;
    public const ulong Reserved1 = Rflag.Reserved1;
    public const ulong Parity = Rflag.PF;
    public const ulong Auxiliary = Rflag.AF;
    public const ulong Zero = Rflag.ZF;
    public const ulong Sign = Rflag.SF;
    public const ulong Trap = Rflag.TF;
    public const ulong Interrupt = Rflag.IF;
    public const ulong Direction = Rflag.DF;
    public const ulong Overflow = Rflag.OF;
    public const ulong Iopl = Rflag.Iopl;
    public const ulong NestedTask = Rflag.NT;
    public const ulong Resume = Rflag.RF;
    public const ulong Virtual8086 = Rflag.VM;
    public const ulong AlignmentCheck = Rflag.AC;
    public const ulong VirtualInterrupt = Rflag.VIF;
    public const ulong VirtualInterruptPending = Rflag.VIP;
    public const ulong Identification = Rflag.ID;

    public const ulong Status = Rflag.Arithmetic;

    public static int IoplOf(ulong rflags) => (int)(rflags >> 12) & 3;
}
