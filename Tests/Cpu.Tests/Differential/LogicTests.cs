using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>AND, OR, XOR, TEST (AF undefined, SDM Vol. 2) and NOT (no flags).</summary>
public class LogicTests
{
    private static readonly FormSemantics Logic = new() { UndefinedFlags = FlagBits.AF };

    [Theory]
    [InlineData(Mnemonic.And)]
    [InlineData(Mnemonic.Or)]
    [InlineData(Mnemonic.Xor)]
    [InlineData(Mnemonic.Test)]
    public void MatchesTheHost(Mnemonic mnemonic) =>
        DifferentialRunner.Check(FormGenerator.Cases(Logic, mnemonic));

    [Fact]
    public void NotMatchesTheHost() =>
        DifferentialRunner.Check(FormGenerator.Cases(FormSemantics.Plain, Mnemonic.Not));
}
