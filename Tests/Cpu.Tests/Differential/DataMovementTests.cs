using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>MOV, MOVZX, MOVSX, MOVSXD, XCHG, BSWAP, XADD, CMPXCHG, CMPXCHG8B/16B, LEA, MOVBE: no flags except the compares.</summary>
public class DataMovementTests
{
    [Theory]
    [InlineData(Mnemonic.Mov)]
    [InlineData(Mnemonic.Movzx)]
    [InlineData(Mnemonic.Movsx)]
    [InlineData(Mnemonic.Movsxd)]
    [InlineData(Mnemonic.Xchg)]
    [InlineData(Mnemonic.Xadd)]
    public void MatchesTheHost(Mnemonic mnemonic) =>
        DifferentialRunner.Check(FormGenerator.Cases(FormSemantics.Plain, mnemonic));

    /// <summary>BSWAP of a 16-bit register is undefined (SDM Vol. 2A, BSWAP): its low 16 bits are not compared.</summary>
    [Fact]
    public void BswapMatchesTheHost() =>
        DifferentialRunner.Check(FormGenerator.Cases(new FormSemantics
        {
            Shape = c =>
            {
                if (c.Bits(0) == 16)
                {
                    c.Builder.Undefine(c.Operands[0].Register, 0xFFFF);
                }
            },
        }, Mnemonic.Bswap));

    /// <summary>Half the cases make the accumulator equal to the destination, so both outcomes are seen.</summary>
    [Fact]
    public void CmpxchgMatchesTheHost() =>
        DifferentialRunner.Check(FormGenerator.Cases(new FormSemantics
        {
            Reserved = [Register.RAX],
            Shape = c =>
            {
                if (c.Rng.Next(2) == 0)
                {
                    Register acc = c.Bits(0) switch { 8 => Register.AL, 16 => Register.AX, 32 => Register.EAX, _ => Register.RAX };
                    c.Builder.SetReg(acc, c.Get(0));
                }
            },
        }, Mnemonic.Cmpxchg));

    [Fact]
    public void Cmpxchg8bMatchesTheHost() =>
        DifferentialRunner.Check(FormGenerator.Cases(new FormSemantics
        {
            Reserved = [Register.RAX, Register.RBX, Register.RCX, Register.RDX],
            Shape = c =>
            {
                if (c.Rng.Next(2) == 0)
                {
                    ulong m = c.Builder.Read(c.Operands[0].Address, 8);
                    c.Builder.SetReg(Register.EAX, m & 0xFFFF_FFFF);
                    c.Builder.SetReg(Register.EDX, m >> 32);
                }
            },
        }, Mnemonic.Cmpxchg8b));

    /// <summary>CMPXCHG16B needs a 16-byte aligned operand (#GP otherwise, which would kill the host process).</summary>
    [Fact]
    public void Cmpxchg16bMatchesTheHost() =>
        DifferentialRunner.Check(FormGenerator.Cases(new FormSemantics
        {
            Reserved = [Register.RAX, Register.RBX, Register.RCX, Register.RDX],
            MemoryAlignment = 16,
            Shape = c =>
            {
                int r = c.Rng.Next(4);
                if (r != 0)
                {
                    c.Builder.SetReg(Register.RAX, c.Builder.Read(c.Operands[0].Address, 8));
                }

                if (r == 1 || r == 2)
                {
                    c.Builder.SetReg(Register.RDX, c.Builder.Read(c.Operands[0].Address + 8, 8));
                }
            },
        }, Mnemonic.Cmpxchg16b));

    /// <summary>LEA only computes the address: base and index take any value (wrap-around, 32-bit truncation).</summary>
    [Fact]
    public void LeaMatchesTheHost() =>
        DifferentialRunner.Check(FormGenerator.Cases(new FormSemantics
        {
            Shape = c =>
            {
                var m = (MemoryOperandPlan)c.Operands[1];
                if (m.Base != Register.RSP && m.Base != Register.None && c.Rng.Next(2) == 0)
                {
                    c.Builder.SetReg(FormGenerator.Full(m.Base), OperandValues.Next(c.Rng, 64));
                }

                if (m.Index != Register.None && c.Rng.Next(2) == 0)
                {
                    c.Builder.SetReg(FormGenerator.Full(m.Index), OperandValues.Next(c.Rng, 64));
                }
            },
        }, Mnemonic.Lea));

    [Fact]
    public void MovntiMatchesTheHost() => DifferentialRunner.Check(FormGenerator.Cases(FormSemantics.Plain, Mnemonic.Movnti));

    [Fact]
    public void MovbeMatchesTheHost()
    {
        HostFeatures.RequireHost(HostFeatures.HostHasMovbe, "MOVBE");
        DifferentialRunner.Check(FormGenerator.Cases(FormSemantics.Plain, Mnemonic.Movbe));
    }
}
