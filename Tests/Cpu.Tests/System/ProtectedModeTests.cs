using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>32-bit protected mode: interrupt gates, the 32-bit TSS stack switch, IRETD (Intel SDM 6.12).</summary>
public class ProtectedModeTests
{
    [Fact]
    public void GeneralProtectionAtCpl3SwitchesToSs0Esp0AndPushes32BitFrame()
    {
        using var m = new SystemMachine(longMode: false);
        m.Load(SystemMachine.UserCode, a =>
        {
            a.nop();
            a.mov(eax, cr0);
        });
        m.EnterUser();

        m.RunToHandler(ExceptionVector.GeneralProtection);

        CpuState s = m.State;
        Assert.Equal(0, s.Cpl);
        Assert.Equal(SystemMachine.KernelDs, s.Segments[SegmentIndex.Ss].Selector);
        Assert.Equal(SystemMachine.Rsp0 - (6 * 4), s.Gpr[4]);
        Assert.Equal(0UL, m.StackSlot(0, 4));
        Assert.Equal(SystemMachine.UserCode + 1, m.StackSlot(1, 4));
        Assert.Equal(SystemMachine.UserCs32, m.StackSlot(2, 4));
        Assert.Equal(0x202UL | SystemFlags.Resume, m.StackSlot(3, 4)); // RF: a fault's frame (SDM 18.3.1.1)
        Assert.Equal(SystemMachine.UserStack, m.StackSlot(4, 4));
        Assert.Equal(SystemMachine.UserDs, m.StackSlot(5, 4));
        Assert.False(ProcessorMode.Is64Bit(s));
    }

    [Fact]
    public void SamePrivilegeInterruptPushesEflagsCsEip()
    {
        using var m = new SystemMachine(longMode: false);
        m.Load(SystemMachine.KernelCode, a => a.@int(0x30));

        m.RunToHandler(0x30);

        Assert.Equal(SystemMachine.KernelStack - 12, m.State.Gpr[4]);
        Assert.Equal(SystemMachine.KernelCode + 2, m.StackSlot(0, 4));
        Assert.Equal(SystemMachine.KernelCs, m.StackSlot(1, 4));
        Assert.Equal(0x2UL, m.StackSlot(2, 4));
    }

    [Fact]
    public void InvalidSs0InTheTssRaisesInvalidTss()
    {
        using var m = new SystemMachine(longMode: false);
        m.Write32(SystemMachine.Tss + 8, SystemMachine.UserDs); // RPL 3 stack for CPL 0
        m.EnterUser();

        var e = Assert.Throws<CpuException>(() => InterruptDelivery.DeliverOnce(m.Cpu, 0x30, null, software: false));

        Assert.Equal(ExceptionVector.InvalidTss, e.Vector);
        Assert.Equal((uint)(SystemMachine.UserDs & ~3) | 1, e.ErrorCode);
        Assert.Equal(3, m.State.Cpl);
    }

    [Fact]
    public void IretdReturnsToCpl3AndPopsTheUserStack()
    {
        using var m = new SystemMachine(longMode: false);
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.push(SystemMachine.UserDs);
            a.push((int)SystemMachine.UserStack);
            a.push(0x202);
            a.push(SystemMachine.UserCs32);
            a.push((int)SystemMachine.UserCode);
            a.iretd();
        });
        m.Load(SystemMachine.UserCode, a =>
        {
            a.mov(ebx, esp);
            a.hlt();
        });

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(SystemMachine.UserStack, m.State.Gpr[3]);
        Assert.Equal(SystemMachine.UserCode + 2, m.StackSlot(1, 4));
        Assert.Equal(SystemMachine.UserCs32, m.StackSlot(2, 4));
    }

    [Fact]
    public void TaskGatesAreNotSupportedAndFaultLikeABadGate()
    {
        using var m = new SystemMachine(longMode: false);
        m.SetGate(0x30, dpl: 0, type: SystemDescriptorType.TaskGate);
        m.Load(SystemMachine.KernelCode, a => a.@int(0x30));

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal((0x30UL * 8) | 2, m.StackSlot(0, 4));
    }
}
