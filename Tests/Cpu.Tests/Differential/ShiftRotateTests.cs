using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>
/// SHL/SAL, SHR, SAR, ROL, ROR, RCL, RCR, SHLD, SHRD with counts 0, 1, width-1, width, beyond width and
/// beyond the count mask, in the 1, imm8 and CL forms. Undefined per the SDM (Vol. 2B): with a masked
/// count of 0 nothing changes; otherwise AF for shifts, OF unless the count is 1, CF for SHL/SHR when the
/// count reaches the width; for SHLD/SHRD a count above the width leaves the destination and flags undefined.
/// </summary>
public class ShiftRotateTests
{
    private static readonly FormSemantics Shift = new() { Reserved = [Register.RCX], Shape = ShapeCount };

    [Theory]
    [InlineData(Mnemonic.Shl)]
    [InlineData(Mnemonic.Sal)]
    [InlineData(Mnemonic.Shr)]
    [InlineData(Mnemonic.Sar)]
    [InlineData(Mnemonic.Rol)]
    [InlineData(Mnemonic.Ror)]
    [InlineData(Mnemonic.Rcl)]
    [InlineData(Mnemonic.Rcr)]
    [InlineData(Mnemonic.Shld)]
    [InlineData(Mnemonic.Shrd)]
    public void MatchesTheHost(Mnemonic mnemonic) => DifferentialRunner.Check(FormGenerator.Cases(Shift, mnemonic));

    private static void ShapeCount(FormCase c)
    {
        int width = c.Bits(0);
        int last = c.Operands.Length - 1;
        OperandPlan countOp = c.Operands[last];
        int count = OperandValues.ShiftCount(c.Rng, width, c.Index % 40);
        if (countOp.Role == OperandRole.Constant)
        {
            count = 1;
        }
        else if (countOp.Role == OperandRole.Register)
        {
            c.Builder.SetReg(Register.CL, (ulong)count);
        }
        else
        {
            c.Set(last, (ulong)count);
        }

        int masked = count & (width == 64 ? 63 : 31);
        if (masked == 0)
        {
            return;
        }

        ulong undefined = masked == 1 ? 0 : FlagBits.OF;
        switch (c.Mnemonic)
        {
            case Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr:
                undefined |= FlagBits.AF | (masked >= width ? FlagBits.CF : 0);
                break;
            case Mnemonic.Sar:
                undefined |= FlagBits.AF;
                break;
            case Mnemonic.Shld or Mnemonic.Shrd:
                undefined |= FlagBits.AF;
                if (masked > width)
                {
                    undefined |= FlagBits.Status;
                    if (c.Operands[0].Role == OperandRole.Register)
                    {
                        c.Builder.Undefine(c.Operands[0].Register, OperandValues.Mask(width));
                    }
                    else
                    {
                        c.Builder.UndefineMemory(c.Operands[0].Address, width / 8);
                    }
                }

                break;
            default:
                break;
        }

        c.Builder.UndefinedFlags = undefined;
    }
}
