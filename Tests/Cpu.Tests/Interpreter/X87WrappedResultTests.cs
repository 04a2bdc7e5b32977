using Cpu.Semantics.X87;
using Cpu.State;
using Cpu.Tests.Support;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Interpreter;

/// <summary>
/// The unmasked overflow and underflow responses of x87 arithmetic (Intel SDM Vol. 1, 8.5.4 and 8.5.5): the
/// result is rounded with an unbounded exponent, then its exponent is brought into range by subtracting
/// (overflow) or adding (underflow) 24576, and the exception becomes pending. The host comparison runs
/// with exceptions masked, so these are checked against the SDM's arithmetic here.
/// </summary>
public class X87WrappedResultTests
{
    [Theory]
    [InlineData(0x0377, 16000, 0x5CFF, 0x08)] // 2^16000 squared = 2^32000: exponent 32000 - 24576, #O
    [InlineData(0x036F, -16000, 0x22FF, 0x10)] // 2^-16000 squared = 2^-32000: exponent -32000 + 24576, #U
    public void UnmaskedOverflowAndUnderflowWrapTheExponent(int control, int exponent, int wrappedSignExponent, int flag)
    {
        using var m = new TestMachine();
        m[6] = TestMachine.DataBase;
        m.Write64(TestMachine.DataBase, 1UL << 63);
        m.Write64(TestMachine.DataBase + 8, (ulong)(exponent + Float80.ExponentBias));
        m.Write64(TestMachine.DataBase + 16, (ulong)control);
        m.Execute(a =>
        {
            a.fninit();
            a.fldcw(__word_ptr[rsi + 16]);
            a.fld(__tword_ptr[rsi]);
            a.fmul(st0, st0);
        });

        X87State x = m.State.X87;
        Assert.Equal(new Float80(1UL << 63, (ushort)wrappedSignExponent), x.Registers[x.Physical(0)]);
        Assert.Equal(flag | X87Fpu.ErrorSummary | X87Fpu.Busy, x.Status & ~X87State.TopMask);
    }

    [Theory]
    [InlineData(0x0377, 20000, 0x2E1F, 0x08)] // 2^(20000 - 24576): the exponent wrapped into range, #O
    [InlineData(0x0377, 100000, 0x7FFF, 0x08)] // still too large after the adjustment: +infinity
    [InlineData(0x036F, -20000, 0x51DF, 0x10)] // 2^(-20000 + 24576), #U
    [InlineData(0x036F, -100000, 0x0000, 0x10)] // still too small after the adjustment: +0
    public void FscaleWrapsUnmaskedOverflowAndUnderflowAndMassiveOnesSaturate(int control, int scale, int signExponent, int flag)
    {
        using var m = new TestMachine();
        m[6] = TestMachine.DataBase;
        m.Write64(TestMachine.DataBase, (ulong)(uint)scale);
        m.Write64(TestMachine.DataBase + 16, (ulong)control);
        m.Execute(a =>
        {
            a.fninit();
            a.fldcw(__word_ptr[rsi + 16]);
            a.fild(__dword_ptr[rsi]);
            a.fld1();
            a.fscale();
        });

        // Intel SDM Vol. 1, 8.5.4 and 8.5.5: "massive" overflow or underflow stores a signed infinity or zero.
        X87State x = m.State.X87;
        ulong significand = signExponent == 0 ? 0 : 1UL << 63;
        Assert.Equal(new Float80(significand, (ushort)signExponent), x.Registers[x.Physical(0)]);
        Assert.Equal(flag, x.Status & 0x18);
        Assert.NotEqual(0, x.Status & X87Fpu.ErrorSummary);
    }
}
