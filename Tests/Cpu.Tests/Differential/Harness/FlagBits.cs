using Cpu.State;

namespace Cpu.Tests.Differential.Harness;

/// <summary>The RFLAGS bits the harness compares (the processor's <see cref="Rflag"/> values).</summary>
public static class FlagBits
{
    public const ulong CF = Rflag.CF;
    public const ulong PF = Rflag.PF;
    public const ulong AF = Rflag.AF;
    public const ulong ZF = Rflag.ZF;
    public const ulong SF = Rflag.SF;
    public const ulong TF = Rflag.TF;
    public const ulong IF = Rflag.IF;
    public const ulong DF = Rflag.DF;
    public const ulong OF = Rflag.OF;

    /// <summary>The six arithmetic status flags.</summary>
    public const ulong Status = Rflag.Arithmetic;

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
