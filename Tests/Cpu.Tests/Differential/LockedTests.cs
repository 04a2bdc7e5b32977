using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>
/// The memory forms that take a LOCK prefix, with it: same results as without (one processor). Operands are
/// aligned: a split lock on the host may be trapped by the kernel.
/// </summary>
public class LockedTests
{
    [Theory]
    [InlineData(Mnemonic.Add)]
    [InlineData(Mnemonic.Adc)]
    [InlineData(Mnemonic.Sub)]
    [InlineData(Mnemonic.Sbb)]
    [InlineData(Mnemonic.Neg)]
    [InlineData(Mnemonic.Inc)]
    [InlineData(Mnemonic.Dec)]
    [InlineData(Mnemonic.Not)]
    [InlineData(Mnemonic.Xchg)]
    [InlineData(Mnemonic.Xadd)]
    public void ArithmeticMatchesTheHost(Mnemonic mnemonic) => Check(new FormSemantics { MemoryAlignment = 8, Lock = true }, mnemonic);

    [Theory]
    [InlineData(Mnemonic.And)]
    [InlineData(Mnemonic.Or)]
    [InlineData(Mnemonic.Xor)]
    public void LogicMatchesTheHost(Mnemonic mnemonic) => Check(new FormSemantics { MemoryAlignment = 8, Lock = true, UndefinedFlags = FlagBits.AF }, mnemonic);

    [Theory]
    [InlineData(Mnemonic.Bts)]
    [InlineData(Mnemonic.Btr)]
    [InlineData(Mnemonic.Btc)]
    public void BitTestMatchesTheHost(Mnemonic mnemonic) =>
        Check(new FormSemantics
        {
            MemoryAlignment = 8,
            Lock = true,
            MemoryMargin = 700,
            UndefinedFlags = FlagBits.OF | FlagBits.SF | FlagBits.AF | FlagBits.PF,
            Shape = BitTests.ShapeBitOffset,
        }, mnemonic);

    [Fact]
    public void CmpxchgMatchesTheHost() => Check(new FormSemantics { MemoryAlignment = 8, Lock = true, Reserved = [Register.RAX] }, Mnemonic.Cmpxchg);

    private static void Check(FormSemantics semantics, Mnemonic mnemonic) =>
        DifferentialRunner.Check(InstructionForm.Of(mnemonic)
            .Where(f => f.MemoryForm && f.Info.CanUseLockPrefix)
            .SelectMany(f => FormGenerator.Cases(f, semantics, 104))
            .Select(c => c.WithForm("LOCK " + c.Form)));
}
