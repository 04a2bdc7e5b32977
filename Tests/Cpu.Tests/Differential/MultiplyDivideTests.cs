using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>
/// MUL, IMUL (one, two and three operands), DIV, IDIV. SF ZF AF PF are undefined after MUL/IMUL and all
/// status flags after DIV/IDIV (SDM Vol. 2). Divisions are generated so that they never fault: a #DE on
/// the host would kill the test process (the emulator's #DE has its own unit test).
/// </summary>
public class MultiplyDivideTests
{
    private static readonly FormSemantics Multiply = new()
    {
        Reserved = [Register.RAX, Register.RDX],
        UndefinedFlags = FlagBits.SF | FlagBits.ZF | FlagBits.AF | FlagBits.PF,
        Shape = c =>
        {
            if (c.Operands.Length == 1)
            {
                c.Builder.SetReg(Accumulator(c.Bits(0)), OperandValues.Next(c.Rng, c.Bits(0)));
            }
        },
    };

    private static readonly FormSemantics Divide = new()
    {
        Reserved = [Register.RAX, Register.RDX],
        UndefinedFlags = FlagBits.Status,
        Shape = ShapeDivision,
    };

    [Theory]
    [InlineData(Mnemonic.Mul)]
    [InlineData(Mnemonic.Imul)]
    public void MultiplyMatchesTheHost(Mnemonic mnemonic) => DifferentialRunner.Check(FormGenerator.Cases(Multiply, mnemonic));

    [Theory]
    [InlineData(Mnemonic.Div)]
    [InlineData(Mnemonic.Idiv)]
    public void DivideMatchesTheHost(Mnemonic mnemonic) => DifferentialRunner.Check(FormGenerator.Cases(Divide, mnemonic));

    private static Register Accumulator(int bits) => bits switch
    {
        8 => Register.AL,
        16 => Register.AX,
        32 => Register.EAX,
        _ => Register.RAX,
    };

    /// <summary>Picks divisor, quotient and remainder, and builds the dividend from them, so the quotient fits.</summary>
    private static void ShapeDivision(FormCase c)
    {
        int w = c.Bits(0);
        bool signed = c.Mnemonic == Mnemonic.Idiv;
        Random rng = c.Rng;
        ulong d = c.Index < OperandValues.Edges(w).Length ? OperandValues.Edges(w)[c.Index] : OperandValues.Next(rng, w);
        if (d == 0)
        {
            d = (ulong)rng.Next(1, 1000) & OperandValues.Mask(w);
            d = d == 0 ? 1 : d;
        }

        Int128 dividend;
        if (signed)
        {
            Int128 sd = SignExtend(d, w);
            Int128 min = -(Int128.One << (w - 1));
            Int128 sq;
            do
            {
                // The most negative quotient faults on some processors: keep the host safe.
                sq = SignExtend(OperandValues.Next(rng, w), w);
            }
            while (sq == min);

            Int128 magnitude = Int128.Abs(sd);
            Int128 r = (Int128)(ulong)rng.NextInt64() % magnitude;
            Int128 product = sq * sd;
            if (product < 0 || (product == 0 && rng.Next(2) == 0))
            {
                r = -r;
            }

            dividend = product + r;
        }
        else
        {
            ulong q = OperandValues.Next(rng, w);
            UInt128 r = (UInt128)(ulong)rng.NextInt64() % d;
            dividend = (Int128)(((UInt128)q * d) + r);
        }

        ulong divisorBits = d;
        c.Set(0, divisorBits);
        var bits = (UInt128)dividend;
        ulong low = (ulong)bits & OperandValues.Mask(w);
        ulong high = (ulong)(bits >> w) & OperandValues.Mask(w);
        if (w == 8)
        {
            c.Builder.SetReg(Register.AX, ((high << 8) | low) & 0xFFFF);
        }
        else
        {
            c.Builder.SetReg(Accumulator(w), low);
            c.Builder.SetReg(w == 16 ? Register.DX : w == 32 ? Register.EDX : Register.RDX, high);
        }
    }

    private static Int128 SignExtend(ulong v, int bits) => bits == 64 ? (long)v : (long)(v << (64 - bits)) >> (64 - bits);
}
