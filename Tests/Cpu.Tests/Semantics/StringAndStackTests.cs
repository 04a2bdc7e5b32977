using Cpu.Tests.Support;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Semantics;

public class StringAndStackTests
{
    [Fact]
    public void RepMovsbCopiesAndAdvancesRegisters()
    {
        using var m = new TestMachine();
        m.WriteBytes(TestMachine.DataBase, "hello, world"u8);
        m.Execute(a =>
        {
            a.mov(rsi, TestMachine.DataBase);
            a.mov(rdi, TestMachine.DataBase + 0x100);
            a.mov(ecx, 12);
            a.rep.movsb();
        });
        Assert.Equal("hello, world"u8.ToArray(), m.Ram.Span(TestMachine.DataBase + 0x100, 12).ToArray());
        Assert.Equal(0UL, m[1]);
        Assert.Equal(TestMachine.DataBase + 12, m[6]);
        Assert.Equal(TestMachine.DataBase + 0x10C, m[7]);
    }

    [Fact]
    public void LongRepStosRunsInSlicesAndFinishes()
    {
        using var m = new TestMachine();
        m.Execute(a =>
        {
            a.mov(rdi, TestMachine.DataBase);
            a.mov(ecx, 10000);
            a.mov(rax, 0x1122334455667788);
            a.rep.stosq();
        });
        Assert.Equal(0x1122334455667788UL, m.Read64(TestMachine.DataBase + (9999 * 8)));
        Assert.Equal(0UL, m.Read64(TestMachine.DataBase + (10000 * 8)));
        Assert.Equal(0UL, m[1]);
    }

    [Fact]
    public void StdMakesStringOperationsGoDown()
    {
        using var m = new TestMachine();
        m.WriteBytes(TestMachine.DataBase, [1, 2, 3, 4]);
        m.Execute(a =>
        {
            a.std();
            a.mov(rsi, TestMachine.DataBase + 3);
            a.lodsb();
            a.mov(bl, al);
            a.lodsb();
            a.cld();
        });
        Assert.Equal(4UL, m[3] & 0xFF);
        Assert.Equal(3UL, m[0] & 0xFF);
        Assert.Equal(TestMachine.DataBase + 1, m[6]);
    }

    [Fact]
    public void RepeCmpsStopsAtTheFirstDifference()
    {
        using var m = new TestMachine();
        m.WriteBytes(TestMachine.DataBase, "abcdef"u8);
        m.WriteBytes(TestMachine.DataBase + 0x100, "abcxef"u8);
        m.Execute(a =>
        {
            a.mov(rsi, TestMachine.DataBase);
            a.mov(rdi, TestMachine.DataBase + 0x100);
            a.mov(ecx, 6);
            a.repe.cmpsb();
            a.setne(bl);
        });
        Assert.Equal(2UL, m[1]);
        Assert.Equal(1UL, m[3] & 0xFF);
        Assert.Equal(TestMachine.DataBase + 4, m[6]);
    }

    [Fact]
    public void RepneScasFindsAByte()
    {
        using var m = new TestMachine();
        m.WriteBytes(TestMachine.DataBase, "abc\0def"u8);
        m.Execute(a =>
        {
            a.mov(rdi, TestMachine.DataBase);
            a.xor(eax, eax);
            a.mov(rcx, -1);
            a.repne.scasb();
            a.not(rcx);
            a.dec(rcx);
        });
        Assert.Equal(3UL, m[1]);
    }

    [Fact]
    public void RepWithZeroCountDoesNothing()
    {
        using var m = new TestMachine();
        m.Execute(a =>
        {
            a.mov(rdi, TestMachine.DataBase);
            a.xor(ecx, ecx);
            a.mov(eax, 0xAB);
            a.rep.stosb();
        });
        Assert.Equal(TestMachine.DataBase, m[7]);
        Assert.Equal(0UL, m.Read64(TestMachine.DataBase));
    }

    [Fact]
    public void EnterAndLeaveBuildAndDropAFrame()
    {
        using var m = new TestMachine();
        m[5] = 0x1234;
        m.Execute(a =>
        {
            a.enter(32, 0);
            a.mov(rax, rbp);
            a.mov(rbx, rsp);
            a.leave();
        });
        Assert.Equal(TestMachine.StackTop - 8, m[0]);
        Assert.Equal(TestMachine.StackTop - 40, m[3]);
        Assert.Equal(0x1234UL, m[5]);
        Assert.Equal(TestMachine.StackTop, m[4]);
    }

    [Fact]
    public void RetImmediateReleasesArguments()
    {
        using var m = new TestMachine();
        m.Execute(a =>
        {
            var fn = a.CreateLabel();
            var end = a.CreateLabel();
            a.push(1);
            a.push(2);
            a.call(fn);
            a.jmp(end);
            a.Label(ref fn);
            a.mov(rax, __qword_ptr[rsp + 8]);
            a.ret(16);
            a.Label(ref end);
        });
        Assert.Equal(2UL, m[0]);
        Assert.Equal(TestMachine.StackTop, m[4]);
    }

    [Fact]
    public void LoopCountsDownRcx()
    {
        using var m = new TestMachine();
        m.Execute(a =>
        {
            var top = a.CreateLabel();
            a.mov(ecx, 10);
            a.xor(eax, eax);
            a.Label(ref top);
            a.inc(eax);
            a.loop(top);
        });
        Assert.Equal(10UL, m[0]);
        Assert.Equal(0UL, m[1]);
    }

    [Fact]
    public void PopToMemoryAndPushOfMemory()
    {
        using var m = new TestMachine();
        m.Write64(TestMachine.DataBase, 77);
        m.Execute(a =>
        {
            a.mov(rbx, TestMachine.DataBase);
            a.push(__qword_ptr[rbx]);
            a.pop(__qword_ptr[rbx + 8]);
            a.push(-2);
            a.pop(rcx);
        });
        Assert.Equal(77UL, m.Read64(TestMachine.DataBase + 8));
        Assert.Equal(unchecked((ulong)-2L), m[1]);
        Assert.Equal(TestMachine.StackTop, m[4]);
    }
}
