namespace Cpu.System;

/// <summary>RFLAGS bits the system instructions touch (Intel SDM Vol. 1, 3.4.3).</summary>
public static class SystemFlags
{
    public const ulong Carry = 1UL << 0;
    public const ulong Reserved1 = 1UL << 1;
    public const ulong Parity = 1UL << 2;
    public const ulong Auxiliary = 1UL << 4;
    public const ulong Zero = 1UL << 6;
    public const ulong Sign = 1UL << 7;
    public const ulong Trap = 1UL << 8;
    public const ulong Interrupt = 1UL << 9;
    public const ulong Direction = 1UL << 10;
    public const ulong Overflow = 1UL << 11;
    public const ulong Iopl = 3UL << 12;
    public const ulong NestedTask = 1UL << 14;
    public const ulong Resume = 1UL << 16;
    public const ulong Virtual8086 = 1UL << 17;
    public const ulong AlignmentCheck = 1UL << 18;
    public const ulong VirtualInterrupt = 1UL << 19;
    public const ulong VirtualInterruptPending = 1UL << 20;
    public const ulong Identification = 1UL << 21;

    public const ulong Status = Carry | Parity | Auxiliary | Zero | Sign | Overflow;

    public static int IoplOf(ulong rflags) => (int)(rflags >> 12) & 3;
}
