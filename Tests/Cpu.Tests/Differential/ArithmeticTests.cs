using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>ADD, ADC, SUB, SBB, CMP, NEG, INC, DEC: every encoding and size; all six status flags are defined.</summary>
public class ArithmeticTests
{
    [Theory]
    [InlineData(Mnemonic.Add)]
    [InlineData(Mnemonic.Adc)]
    [InlineData(Mnemonic.Sub)]
    [InlineData(Mnemonic.Sbb)]
    [InlineData(Mnemonic.Cmp)]
    [InlineData(Mnemonic.Neg)]
    [InlineData(Mnemonic.Inc)]
    [InlineData(Mnemonic.Dec)]
    public void MatchesTheHost(Mnemonic mnemonic) =>
        DifferentialRunner.Check(FormGenerator.Cases(FormSemantics.Plain, mnemonic));
}
