using Cpu.Execution;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>INVLPG (SDM Vol. 2A): a non-canonical address in 64-bit mode is a no-op, not #GP; at CPL 3 it is #GP(0).</summary>
public class InvlpgTests
{
    [Theory]
    [InlineData(0x8000_0000_0000_0000UL)]
    [InlineData(0x0000_8000_0000_0000UL)]
    [InlineData(0xFFFF_0000_0000_1000UL)]
    public void NonCanonicalAddressIsANoOp(ulong address)
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(rax, address);
            a.invlpg(__[rax]);
            a.mov(ebx, 1);
            a.hlt();
        });
        m.EnterKernel();

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(1UL, m.State.Gpr[3]);
        Assert.Equal(0L, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.GeneralProtection]);
    }

    [Fact]
    public void AtCpl3ItIsGeneralProtection()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.UserCode, a => a.invlpg(__[rax]));
        m.EnterUser();

        m.RunToHandler(ExceptionVector.GeneralProtection);
    }
}
