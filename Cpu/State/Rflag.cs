namespace Cpu.State;

/// <summary>RFLAGS bit masks (Intel SDM Vol. 1, 3.4.3).</summary>
public static class Rflag
{
    public const ulong CF = 1UL << 0;
    public const ulong Reserved1 = 1UL << 1;
    public const ulong PF = 1UL << 2;
    public const ulong AF = 1UL << 4;
    public const ulong ZF = 1UL << 6;
    public const ulong SF = 1UL << 7;
    public const ulong TF = 1UL << 8;
    public const ulong IF = 1UL << 9;
    public const ulong DF = 1UL << 10;
    public const ulong OF = 1UL << 11;
    public const ulong Iopl = 3UL << 12;
    public const ulong NT = 1UL << 14;
    public const ulong RF = 1UL << 16;
    public const ulong VM = 1UL << 17;
    public const ulong AC = 1UL << 18;
    public const ulong VIF = 1UL << 19;
    public const ulong VIP = 1UL << 20;
    public const ulong ID = 1UL << 21;

    /// <summary>The six status flags the ALU computes.</summary>
    public const ulong Arithmetic = CF | PF | AF | ZF | SF | OF;

    /// <summary>Bits software can ever set (everything else reads as 0, bit 1 as 1).</summary>
    public const ulong Writable = Arithmetic | TF | IF | DF | OF | Iopl | NT | RF | VM | AC | VIF | VIP | ID;
}
