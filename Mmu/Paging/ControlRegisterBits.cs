namespace Mmu.Paging;

/// <summary>
/// The CR0, CR4 and EFER bits (Intel SDM Vol. 3A, 2.5 and 2.2.1), defined once here because the MMU,
/// which sits below the processor, needs the paging ones; <c>Cpu.System.ControlRegisters</c> and
/// <c>Cpu.System.ProcessorMode</c> name these same values.
/// </summary>
public static class ControlRegisterBits
{
    public const ulong Cr0Pe = 1UL << 0;
    public const ulong Cr0Mp = 1UL << 1;
    public const ulong Cr0Em = 1UL << 2;
    public const ulong Cr0Ts = 1UL << 3;
    public const ulong Cr0Et = 1UL << 4;
    public const ulong Cr0Ne = 1UL << 5;
    public const ulong Cr0Wp = 1UL << 16;
    public const ulong Cr0Nw = 1UL << 29;
    public const ulong Cr0Cd = 1UL << 30;
    public const ulong Cr0Pg = 1UL << 31;

    public const ulong Cr4Tsd = 1UL << 2;
    public const ulong Cr4De = 1UL << 3;
    public const ulong Cr4Pse = 1UL << 4;
    public const ulong Cr4Pae = 1UL << 5;
    public const ulong Cr4Pge = 1UL << 7;
    public const ulong Cr4Pce = 1UL << 8;
    public const ulong Cr4Osfxsr = 1UL << 9;
    public const ulong Cr4Osxmmexcpt = 1UL << 10;
    public const ulong Cr4Umip = 1UL << 11;
    public const ulong Cr4FsGsBase = 1UL << 16;
    public const ulong Cr4Pcide = 1UL << 17;
    public const ulong Cr4Osxsave = 1UL << 18;
    public const ulong Cr4Smep = 1UL << 20;
    public const ulong Cr4Smap = 1UL << 21;
    public const ulong Cr4Pke = 1UL << 22;
    public const ulong Cr4Pks = 1UL << 24;

    public const ulong EferSce = 1UL << 0;
    public const ulong EferLme = 1UL << 8;
    public const ulong EferLma = 1UL << 10;
    public const ulong EferNxe = 1UL << 11;
}
