namespace Cpu.Tests.Differential.Harness;

/// <summary>RFLAGS bits (Intel SDM Vol. 1, 3.4.3).</summary>
public static class FlagBits
{
    public const ulong CF = 1 << 0;
    public const ulong PF = 1 << 2;
    public const ulong AF = 1 << 4;
    public const ulong ZF = 1 << 6;
    public const ulong SF = 1 << 7;
    public const ulong TF = 1 << 8;
    public const ulong IF = 1 << 9;
    public const ulong DF = 1 << 10;
    public const ulong OF = 1 << 11;

    /// <summary>The six arithmetic status flags.</summary>
    public const ulong Status = CF | PF | AF | ZF | SF | OF;

    /// <summary>What the harness compares.</summary>
    public const ulong Compared = Status | DF;

    public static string Describe(ulong flags)
    {
        var parts = new List<string>();
        (ulong Bit, string Name)[] names = [(OF, "OF"), (DF, "DF"), (SF, "SF"), (ZF, "ZF"), (AF, "AF"), (PF, "PF"), (CF, "CF")];
        foreach ((ulong bit, string name) in names)
        {
            if ((flags & bit) != 0)
            {
                parts.Add(name);
            }
        }

        return parts.Count == 0 ? "-" : string.Join(' ', parts);
    }
}
