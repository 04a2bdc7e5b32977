using Cpu.Execution;
using Cpu.Tests.Support;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Interpreter;

/// <summary>A faulting instruction changes no architectural state (DESIGN.md section 3).</summary>
public class PreciseFaultTests
{
    private const ulong NonCanonical = 0x0000_8000_0000_0000;

    [Fact]
    public void PushWithANonCanonicalStackRaisesStackFaultAndKeepsRsp()
    {
        using var m = new TestMachine();
        m.Load(a => { a.mov(rsp, NonCanonical + 8); a.mov(eax, 5); a.push(rax); });
        m.Run();
        Assert.Equal(1, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.StackFault]);
        Assert.Equal(NonCanonical + 8, m[4]);
    }

    [Fact]
    public void AluStoreToANonCanonicalAddressKeepsFlagsAndRegisters()
    {
        using var m = new TestMachine();
        m.Load(a =>
        {
            a.mov(rbx, NonCanonical);
            a.stc();
            a.mov(eax, 1);
            a.add(__qword_ptr[rbx], rax);
        });
        m.Run();
        Assert.Equal(1, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.GeneralProtection]);
        Assert.Equal(1UL, m[0]);
        Assert.True(m.State.CF);
    }

    [Fact]
    public void LoadFromANonCanonicalAddressKeepsTheDestination()
    {
        using var m = new TestMachine();
        m.Load(a => { a.mov(rbx, NonCanonical); a.mov(ecx, 7); a.mov(rcx, __qword_ptr[rbx + 8]); });
        m.Run();
        Assert.Equal(1, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.GeneralProtection]);
        Assert.Equal(7UL, m[1]);
    }

    [Fact]
    public void FaultingCallKeepsRspAndRip()
    {
        using var m = new TestMachine();
        m.Load(a => { var l = a.CreateLabel(); a.mov(rsp, NonCanonical + 8); a.call(l); a.Label(ref l); });
        m.Run();
        Assert.Equal(1, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.StackFault]);
        Assert.Equal(NonCanonical + 8, m[4]);
    }
}
