using Cpu.State;
using Cpu.Tests.Support;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Semantics;

/// <summary>Flag results of the ALU, shift and rotate families at their edge cases (Intel SDM Vol. 1 Appendix A).</summary>
public class FlagsTests
{
    private const ulong Status = Rflag.CF | Rflag.PF | Rflag.AF | Rflag.ZF | Rflag.SF | Rflag.OF;

    private static (ulong Rax, ulong Flags) Run(Action<Assembler> code, ulong initialFlags = 0)
    {
        using var m = new TestMachine();
        m.State.Rflags = initialFlags;
        m.Execute(code);
        return (m[0], m.State.Rflags & Status);
    }

    [Fact]
    public void AddSignedOverflowSetsOfAndSfNotCf()
    {
        var (rax, f) = Run(a => { a.mov(al, 0x7F); a.add(al, 1); });
        Assert.Equal(0x80UL, rax & 0xFF);
        Assert.Equal(Rflag.OF | Rflag.SF | Rflag.AF, f);
    }

    [Fact]
    public void SubBorrowSetsCfAndSf()
    {
        var (rax, f) = Run(a => { a.xor(eax, eax); a.sub(eax, 1); });
        Assert.Equal(0xFFFF_FFFFUL, rax);
        Assert.Equal(Rflag.CF | Rflag.SF | Rflag.AF | Rflag.PF, f);
    }

    [Fact]
    public void AdcWithCarryInWrapsToZeroAndCarriesOut()
    {
        var (result, f) = Run(a => { a.stc(); a.mov(rax, ulong.MaxValue); a.adc(rax, 0); });
        Assert.Equal(0UL, result);
        Assert.Equal(Rflag.CF | Rflag.ZF | Rflag.PF | Rflag.AF, f);
    }

    [Fact]
    public void SbbWithBorrowInOfEqualOperandsBorrows()
    {
        var (rax, f) = Run(a => { a.stc(); a.mov(eax, 5); a.sbb(eax, 5); });
        Assert.Equal(0xFFFF_FFFFUL, rax);
        Assert.True((f & Rflag.CF) != 0);
        Assert.True((f & Rflag.SF) != 0);
        Assert.True((f & Rflag.ZF) == 0);
    }

    [Fact]
    public void IncAndDecPreserveCarry()
    {
        var (_, f1) = Run(a => { a.stc(); a.mov(eax, -1); a.inc(eax); });
        Assert.Equal(Rflag.CF | Rflag.ZF | Rflag.PF | Rflag.AF, f1);
        var (_, f2) = Run(a => { a.clc(); a.mov(eax, 0x80000000); a.dec(eax); });
        Assert.Equal(Rflag.OF | Rflag.PF | Rflag.AF, f2);
    }

    [Fact]
    public void NegOfZeroClearsCarryAndNegOfMinimumOverflows()
    {
        var (_, f1) = Run(a => { a.xor(eax, eax); a.neg(eax); });
        Assert.Equal(Rflag.ZF | Rflag.PF, f1);
        var (rax, f2) = Run(a => { a.mov(eax, 0x80000000); a.neg(eax); });
        Assert.Equal(0x80000000UL, rax);
        Assert.Equal(Rflag.CF | Rflag.OF | Rflag.SF | Rflag.PF, f2);
    }

    [Fact]
    public void LogicClearsCarryAndOverflow()
    {
        var (_, f) = Run(a => { a.stc(); a.mov(eax, 0xF0); a.and(eax, 0x0F); }, Rflag.OF);
        Assert.Equal(Rflag.ZF | Rflag.PF, f);
    }

    [Fact]
    public void ShiftByZeroChangesNoFlags()
    {
        var (rax, f) = Run(a => { a.xor(ecx, ecx); a.mov(eax, 1); a.cmp(eax, 2); a.shl(eax, cl); }, 0);
        Assert.Equal(1UL, rax);
        Assert.Equal(Rflag.CF | Rflag.SF | Rflag.PF | Rflag.AF, f);
    }

    [Fact]
    public void ShiftCountIsMaskedToFiveBitsFor32BitOperands()
    {
        var (rax, _) = Run(a => { a.mov(eax, 1); a.mov(cl, 33); a.shl(eax, cl); });
        Assert.Equal(2UL, rax);
    }

    [Fact]
    public void ShlCarriesOutTheLastBitAndSetsOverflowOnSignChange()
    {
        var (rax, f) = Run(a => { a.mov(al, 0xC0); a.shl(al, 1); });
        Assert.Equal(0x80UL, rax & 0xFF);
        Assert.Equal(Rflag.CF | Rflag.SF, f & ~Rflag.AF);
        var (_, f2) = Run(a => { a.mov(al, 0x40); a.shl(al, 1); });
        Assert.Equal(Rflag.OF | Rflag.SF, f2 & ~Rflag.AF);
    }

    [Fact]
    public void EightBitShiftBeyondWidthClearsTheResult()
    {
        var (rax, f) = Run(a => { a.mov(eax, 0xFF); a.mov(cl, 9); a.shr(al, cl); });
        Assert.Equal(0UL, rax & 0xFF);
        Assert.True((f & Rflag.ZF) != 0);
    }

    [Fact]
    public void SarKeepsTheSignAndCarriesTheLastBitOut()
    {
        var (rax, f) = Run(a => { a.mov(eax, 0x80000003); a.sar(eax, 1); });
        Assert.Equal(0xC0000001UL, rax);
        Assert.True((f & Rflag.CF) != 0);
        Assert.True((f & Rflag.OF) == 0);
    }

    [Fact]
    public void RotatesChangeOnlyCarryAndOverflow()
    {
        var (rax, f) = Run(a => { a.xor(eax, eax); a.mov(al, 0x81); a.rol(al, 1); });
        Assert.Equal(0x03UL, rax);
        Assert.Equal(Rflag.CF | Rflag.ZF | Rflag.PF | Rflag.OF, f);
        var (rax2, f2) = Run(a => { a.mov(eax, 1); a.ror(eax, 1); });
        Assert.Equal(0x80000000UL, rax2);
        Assert.True((f2 & Rflag.CF) != 0);
        Assert.True((f2 & Rflag.OF) != 0);
    }

    [Fact]
    public void RclRotatesThroughCarryModuloNineForBytes()
    {
        var (rax, f) = Run(a => { a.stc(); a.mov(eax, 0x80); a.mov(cl, 9); a.rcl(al, cl); });
        Assert.Equal(0x80UL, rax);
        Assert.True((f & Rflag.CF) != 0);
        var (rax2, f2) = Run(a => { a.stc(); a.mov(eax, 0x80); a.rcl(al, 1); });
        Assert.Equal(0x01UL, rax2);
        Assert.True((f2 & Rflag.CF) != 0);
        var (rax3, f3) = Run(a => { a.stc(); a.mov(eax, 0x01); a.rcr(al, 1); });
        Assert.Equal(0x80UL, rax3);
        Assert.True((f3 & Rflag.CF) != 0);
    }

    [Fact]
    public void ShldAndShrdShiftInFromTheOtherOperand()
    {
        var (rax, f) = Run(a => { a.mov(eax, 0x80000001); a.mov(edx, 0xF0000000); a.shld(eax, edx, 4); });
        Assert.Equal(0x0000001FUL, rax);
        Assert.Equal(0UL, f & Rflag.CF);
        var (rax2, f2) = Run(a => { a.mov(eax, 0x80000001); a.mov(edx, 0xF); a.shrd(eax, edx, 4); });
        Assert.Equal(0xF8000000UL, rax2);
        Assert.Equal(0UL, f2 & Rflag.CF);
    }

    [Fact]
    public void LahfAndSahfMoveTheLowFlagByte()
    {
        var (rax, f) = Run(a => { a.mov(eax, 0xD500); a.sahf(); a.lahf(); });
        Assert.Equal(0xD7UL, (rax >> 8) & 0xFF);
        Assert.Equal(Rflag.SF | Rflag.ZF | Rflag.AF | Rflag.PF | Rflag.CF, f);
    }

    [Fact]
    public void ConditionCodesFollowSignedAndUnsignedCompares()
    {
        using var m = new TestMachine();
        m.Execute(a =>
        {
            a.mov(eax, -1);
            a.cmp(eax, 1);
            a.setl(bl);
            a.setb(cl);
            a.seta(dl);
            a.setg(sil);
            a.mov(edi, 7);
            a.cmovg(edi, eax);
        });
        Assert.Equal(1UL, m[3] & 0xFF);
        Assert.Equal(0UL, m[1] & 0xFF);
        Assert.Equal(1UL, m[2] & 0xFF);
        Assert.Equal(0UL, m[6] & 0xFF);
        Assert.Equal(7UL, m[7]);
    }

    [Fact]
    public void CmovWithFalseConditionStillZeroExtends()
    {
        using var m = new TestMachine();
        m[3] = 0xFFFF_FFFF_0000_0005;
        m.Execute(a => { a.xor(eax, eax); a.cmovne(ebx, eax); });
        Assert.Equal(5UL, m[3]);
    }
}
