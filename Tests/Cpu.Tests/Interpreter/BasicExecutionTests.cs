using Cpu.Execution;
using Cpu.State;
using Cpu.Tests.Support;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Interpreter;

public class BasicExecutionTests
{
    [Fact]
    public void HltWithInterruptsDisabledReturnsHalted()
    {
        using var m = new TestMachine();
        m.Load(a => { });
        Assert.Equal(StopReason.Halted, m.Run());
        Assert.Equal(TestMachine.CodeBase + 1, m.State.Rip);
        Assert.Equal(1, m.Cpu.InstructionsRetired);
    }

    [Fact]
    public void ComputesALoopSum()
    {
        using var m = new TestMachine();
        m.Execute(a =>
        {
            var top = a.CreateLabel();
            a.xor(eax, eax);
            a.mov(ecx, 100);
            a.Label(ref top);
            a.add(rax, rcx);
            a.dec(ecx);
            a.jnz(top);
        });
        Assert.Equal(5050UL, m[0]);
        Assert.Equal(0UL, m[1]);
    }

    [Fact]
    public void CallAndRetUseTheStack()
    {
        using var m = new TestMachine();
        m.Execute(a =>
        {
            var fn = a.CreateLabel();
            var end = a.CreateLabel();
            a.mov(eax, 1);
            a.call(fn);
            a.jmp(end);
            a.Label(ref fn);
            a.add(eax, 41);
            a.ret();
            a.Label(ref end);
        });
        Assert.Equal(42UL, m[0]);
        Assert.Equal(TestMachine.StackTop, m[4]);
        Assert.Equal(TestMachine.CodeBase + 10, m.Read64(TestMachine.StackTop - 8));
    }

    [Fact]
    public void ThirtyTwoBitWritesZeroExtendAndEightBitWritesMerge()
    {
        using var m = new TestMachine();
        m[0] = 0xFFFF_FFFF_FFFF_FFFF;
        m[1] = 0x1111_2222_3333_4444;
        m[2] = 0x1111_2222_3333_4444;
        m.Execute(a =>
        {
            a.mov(eax, 5);
            a.mov(cl, 0x99);
            a.mov(dh, 0x77);
        });
        Assert.Equal(5UL, m[0]);
        Assert.Equal(0x1111_2222_3333_4499UL, m[1]);
        Assert.Equal(0x1111_2222_3333_7744UL, m[2]);
    }

    [Fact]
    public void MemoryOperandsAndRipRelativeAddressing()
    {
        using var m = new TestMachine();
        m.Write64(TestMachine.DataBase, 0x1234);
        m.Execute(a =>
        {
            var data = a.CreateLabel();
            var end = a.CreateLabel();
            a.mov(rbx, TestMachine.DataBase);
            a.mov(rax, __qword_ptr[rbx]);
            a.add(__qword_ptr[rbx + 8], rax);
            a.mov(rcx, __qword_ptr[data]);
            a.jmp(end);
            a.Label(ref data);
            a.dq(0xDEAD_BEEF_CAFE);
            a.Label(ref end);
        });
        Assert.Equal(0x1234UL, m[0]);
        Assert.Equal(0x1234UL, m.Read64(TestMachine.DataBase + 8));
        Assert.Equal(0xDEAD_BEEF_CAFEUL, m[1]);
    }

    [Fact]
    public void RflagsRoundTripsThroughTheLazyFlags()
    {
        using var m = new TestMachine();
        m.Execute(a =>
        {
            a.mov(eax, 0xFFFF_FFFF);
            a.add(eax, 1);
            a.pushfq();
            a.pop(rbx);
        });
        ulong f = m[3];
        Assert.Equal(Rflag.CF | Rflag.ZF | Rflag.PF | Rflag.AF | Rflag.Reserved1, f & (Rflag.Arithmetic | Rflag.Reserved1));
        Assert.Equal(f & Rflag.Arithmetic, m.State.Rflags & Rflag.Arithmetic);
        m.State.Rflags = Rflag.OF;
        Assert.Equal(Rflag.OF | Rflag.Reserved1, m.State.Rflags);
    }
}
