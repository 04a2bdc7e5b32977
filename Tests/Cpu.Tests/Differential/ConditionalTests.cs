using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>CMOVcc and SETcc, all 16 conditions, against random flag combinations.</summary>
public class ConditionalTests
{
    public static readonly Mnemonic[] Cmovs =
    [
        Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne, Mnemonic.Cmovbe, Mnemonic.Cmova,
        Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp, Mnemonic.Cmovl, Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg,
    ];

    public static readonly Mnemonic[] Setccs =
    [
        Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete, Mnemonic.Setne, Mnemonic.Setbe, Mnemonic.Seta,
        Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp, Mnemonic.Setl, Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg,
    ];

    [Fact]
    public void CmovccMatchesTheHost() => DifferentialRunner.Check(FormGenerator.Cases(FormSemantics.Plain, Cmovs));

    [Fact]
    public void SetccMatchesTheHost() => DifferentialRunner.Check(FormGenerator.Cases(FormSemantics.Plain, Setccs));
}
