using Cpu.Execution;
using Cpu.State;
using Cpu.Tests.Support;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Semantics;

public class ArithmeticTests
{
    [Fact]
    public void MulOf64BitOperandsFillsRdx()
    {
        using var m = new TestMachine();
        m.Execute(a => { a.mov(rax, ulong.MaxValue); a.mov(rcx, 2); a.mul(rcx); });
        Assert.Equal(ulong.MaxValue - 1, m[0]);
        Assert.Equal(1UL, m[2]);
        Assert.True((m.State.Rflags & (Rflag.CF | Rflag.OF)) == (Rflag.CF | Rflag.OF));
    }

    [Fact]
    public void ImulFormsTruncateAndReportOverflow()
    {
        using var m = new TestMachine();
        m.Execute(a =>
        {
            a.mov(eax, -3);
            a.imul(ebx, eax, 5);
            a.mov(ecx, 0x40000000);
            a.imul(ecx, ecx);
        });
        Assert.Equal(unchecked((uint)-15), m[3]);
        Assert.Equal(0UL, m[1]);
        Assert.True((m.State.Rflags & Rflag.OF) != 0);
    }

    [Fact]
    public void OneOperandImulSignExtendsIntoRdx()
    {
        using var m = new TestMachine();
        m.Execute(a => { a.mov(rax, -2); a.mov(rcx, 3); a.imul(rcx); });
        Assert.Equal(unchecked((ulong)-6L), m[0]);
        Assert.Equal(ulong.MaxValue, m[2]);
        Assert.Equal(0UL, m.State.Rflags & Rflag.CF);
    }

    [Fact]
    public void DivAndIdivComputeQuotientAndRemainder()
    {
        using var m = new TestMachine();
        m.Execute(a =>
        {
            a.mov(edx, 1);
            a.xor(eax, eax);
            a.mov(ecx, 3);
            a.div(ecx);
            a.mov(r8, rax);
            a.mov(r9, rdx);
            a.mov(rax, -7);
            a.cqo();
            a.mov(rcx, 2);
            a.idiv(rcx);
        });
        Assert.Equal(0x1_0000_0000UL / 3, m[8]);
        Assert.Equal(0x1_0000_0000UL % 3, m[9]);
        Assert.Equal(unchecked((ulong)-3L), m[0]);
        Assert.Equal(ulong.MaxValue, m[2]);
    }

    [Fact]
    public void DivideByZeroRaisesDivideErrorWithoutChangingRegisters()
    {
        using var m = new TestMachine();
        m.Load(a => { a.mov(eax, 10); a.xor(ecx, ecx); a.mov(edx, 0); a.div(ecx); });
        m.Run();
        Assert.Equal(1, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.DivideError]);
        Assert.Equal(10UL, m[0]);
        Assert.Equal(0UL, m[2]);
    }

    [Fact]
    public void QuotientOverflowRaisesDivideError()
    {
        using var m = new TestMachine();
        m.Load(a => { a.mov(eax, 0x80000000); a.cdq(); a.mov(ecx, -1); a.idiv(ecx); });
        m.Run();
        Assert.Equal(1, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.DivideError]);
        Assert.Equal(0x80000000UL, m[0]);
    }

    [Fact]
    public void SignExtensionsAndMovesWithExtension()
    {
        using var m = new TestMachine();
        m.Execute(a =>
        {
            a.mov(eax, 0x80);
            a.cbw();
            a.mov(ebx, eax);
            a.mov(ecx, -5);
            a.movsxd(rdx, ecx);
            a.mov(esi, 0xFFFF);
            a.movsx(edi, si);
            a.movzx(r8d, si);
            a.mov(r9, -1);
            a.movsx(r9w, cl);
        });
        Assert.Equal(0xFF80UL, m[3]);
        Assert.Equal(unchecked((ulong)-5L), m[2]);
        Assert.Equal(0xFFFF_FFFFUL, m[7]);
        Assert.Equal(0xFFFFUL, m[8]);
        Assert.Equal(0xFFFF_FFFF_FFFF_FFFBUL, m[9]);
    }

    [Fact]
    public void XaddCmpxchgAndXchgExchangeValues()
    {
        using var m = new TestMachine();
        m.Write64(TestMachine.DataBase, 10);
        m.Execute(a =>
        {
            a.mov(rbx, TestMachine.DataBase);
            a.mov(ecx, 5);
            a.xadd(__qword_ptr[rbx], rcx);
            a.mov(eax, 15);
            a.mov(edx, 99);
            a.cmpxchg(__qword_ptr[rbx], rdx);
            a.setz(r8b);
            a.cmpxchg(__qword_ptr[rbx], rdx);
            a.setz(r9b);
            a.mov(r10d, 1);
            a.xchg(__qword_ptr[rbx + 8], r10);
        });
        Assert.Equal(10UL, m[1]);
        Assert.Equal(99UL, m.Read64(TestMachine.DataBase));
        Assert.Equal(1UL, m[8] & 0xFF);
        Assert.Equal(0UL, m[9] & 0xFF);
        Assert.Equal(99UL, m[0]);
        Assert.Equal(1UL, m.Read64(TestMachine.DataBase + 8));
        Assert.Equal(0UL, m[10]);
    }

    [Fact]
    public void Cmpxchg16bSwapsWhenEqualAndFaultsWhenMisaligned()
    {
        using var m = new TestMachine();
        m.Write64(TestMachine.DataBase, 1);
        m.Write64(TestMachine.DataBase + 8, 2);
        m.Execute(a =>
        {
            a.mov(rsi, TestMachine.DataBase);
            a.mov(eax, 1);
            a.mov(edx, 2);
            a.mov(ebx, 3);
            a.mov(ecx, 4);
            a.cmpxchg16b(__xmmword_ptr[rsi]);
        });
        Assert.Equal(3UL, m.Read64(TestMachine.DataBase));
        Assert.Equal(4UL, m.Read64(TestMachine.DataBase + 8));
        Assert.True(m.State.ZF);

        using var m2 = new TestMachine();
        m2.Load(a => { a.mov(rsi, TestMachine.DataBase + 8); a.cmpxchg16b(__xmmword_ptr[rsi]); });
        m2.Run();
        Assert.Equal(1, m2.Cpu.Counters.ExceptionsByVector[ExceptionVector.GeneralProtection]);
    }

    [Fact]
    public void BitOperations()
    {
        using var m = new TestMachine();
        m.Execute(a =>
        {
            a.mov(rbx, TestMachine.DataBase);
            a.mov(ecx, 70);
            a.bts(__qword_ptr[rbx], rcx);
            a.mov(eax, 0x10);
            a.bsf(edx, eax);
            a.bsr(esi, eax);
            a.popcnt(edi, eax);
            a.mov(r8d, 77);
            a.xor(r9d, r9d);
            a.bsf(r8d, r9d);
            a.setz(r10b);
            a.tzcnt(r11d, r9d);
            a.lzcnt(r12d, eax);
            a.mov(r13, 0x0102030405060708);
            a.bswap(r13);
        });
        Assert.Equal(0x40UL, m.Read64(TestMachine.DataBase + 8));
        Assert.Equal(4UL, m[2]);
        Assert.Equal(4UL, m[6]);
        Assert.Equal(1UL, m[7]);
        Assert.Equal(77UL, m[8]);
        Assert.Equal(1UL, m[10] & 0xFF);
        Assert.Equal(32UL, m[11]);
        Assert.Equal(27UL, m[12]);
        Assert.Equal(0x0807060504030201UL, m[13]);
    }

    [Fact]
    public void BsfOfZeroAndFailedCmpxchgLeaveTheWholeRegister()
    {
        using var m = new TestMachine();
        m[0] = 0x1111_1111_2222_2222;
        m[1] = 0xAAAA_AAAA_BBBB_BBBB;
        m[2] = 0;
        m.Execute(a =>
        {
            a.bsf(ecx, edx);
            a.mov(r8, 0x5555_5555_6666_6666);
            a.cmpxchg(r8d, edx);
        });
        Assert.Equal(0xAAAA_AAAA_BBBB_BBBBUL, m[1]);
        Assert.Equal(0x5555_5555_6666_6666UL, m[8]);
        Assert.Equal(0x6666_6666UL, m[0]);
    }
}
