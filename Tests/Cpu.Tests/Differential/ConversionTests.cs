using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>CBW, CWDE, CDQE, CWD, CDQ, CQO, the NOP forms (90, 66 90, 0F 1F /0 with any operand) and PAUSE.</summary>
public class ConversionTests
{
    [Theory]
    [InlineData(Mnemonic.Cbw)]
    [InlineData(Mnemonic.Cwde)]
    [InlineData(Mnemonic.Cdqe)]
    [InlineData(Mnemonic.Cwd)]
    [InlineData(Mnemonic.Cdq)]
    [InlineData(Mnemonic.Cqo)]
    [InlineData(Mnemonic.Nop)]
    [InlineData(Mnemonic.Pause)]
    public void MatchesTheHost(Mnemonic mnemonic) => DifferentialRunner.Check(FormGenerator.Cases(FormSemantics.Plain, mnemonic));
}
