using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>
/// MMX and the MMX-register forms of SSE, SSE2 and SSSE3 against the host CPU: every Iced <see cref="Code"/>
/// with an MMX register, register and memory forms, from a random x87 state (TOP, tags, exponents), comparing
/// the general registers, memory, XMM, MXCSR, and the x87 status word, tag byte and ST0-ST7 (the MMX
/// registers with their exponents) bit for bit.
/// </summary>
public class MmxTests
{
    public static TheoryData<string> Codes() => new(SseCases.MmxCodes().Select(c => c.ToString()));

    [Theory]
    [MemberData(nameof(Codes))]
    public void MatchesTheHost(string code) => DifferentialRunner.Check(SseCases.Generate(Enum.Parse<Code>(code)));

    /// <summary>
    /// Coverage: every Iced code with an MMX register operand (legacy encoding, valid in 64-bit mode) and EMMS
    /// is declared, and so generated above, with at least <see cref="SseCases.CasesPerVariant"/> cases per form.
    /// </summary>
    [Fact]
    public void EveryMmxCodeIsImplementedWithEnoughCases()
    {
        var all = Enum.GetValues<Code>().Where(SseCases.IsMmxForm).ToList();
        var implemented = SseCases.MmxCodes().ToHashSet();
        string missing = string.Join(", ", all.Where(c => !implemented.Contains(c)));
        Assert.True(missing.Length == 0, $"MMX codes not implemented: {missing}");
        Assert.Equal(103, all.Count);
        Assert.All(implemented, c => Assert.True(SseCases.Generate(c).Count() >= SseCases.CasesPerVariant, $"{c}: too few cases"));
    }
}
