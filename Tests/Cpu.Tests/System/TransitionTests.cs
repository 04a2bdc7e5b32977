using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using Mmu.Io;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>SYSCALL/SYSRET, IRETQ, far transfers and I/O permission between CPL 0 and CPL 3.</summary>
public class TransitionTests
{
    private const ulong Lstar = 0x30000;

    [Fact]
    public void SyscallAndSysretRoundTrip()
    {
        using var m = new SystemMachine();
        ModelSpecificRegisters msr = m.Cpu.SystemRegisters.Msr;
        msr.Star = ((ulong)(SystemMachine.UserCs32 & ~3) << 48) | ((ulong)SystemMachine.KernelCs << 32);
        msr.Lstar = Lstar;
        msr.Fmask = SystemFlags.Interrupt | SystemFlags.Direction;
        m.Load(Lstar, a =>
        {
            a.mov(rbx, cr3); // privileged: proves CPL 0
            a.mov(r12, rsp);
            a.mov(eax, 42);
            a.sysretq();
        });
        m.Load(SystemMachine.UserCode, a =>
        {
            a.std();
            a.syscall();
            a.mov(r13d, 7);
            a.hlt();
        });
        m.EnterUser();

        m.RunToHandler(ExceptionVector.GeneralProtection); // the user-mode HLT

        CpuState s = m.State;
        Assert.Equal(42UL, s.Gpr[0]);
        Assert.Equal(7UL, s.Gpr[13]);
        Assert.Equal(SystemMachine.UserStack, s.Gpr[12]); // SYSCALL does not switch stacks
        Assert.Equal(SystemMachine.UserCode + 3, s.Gpr[1]); // RCX = return RIP
        Assert.Equal(0x602UL | SystemFlags.Direction, s.Gpr[11] & 0xFFF); // R11 = user RFLAGS (IF, DF)
        Assert.Equal(SystemMachine.UserCode + 3 + 6, m.StackSlot(1)); // the HLT after SYSRET ran at CPL 3
        Assert.Equal(SystemMachine.UserCs64, m.StackSlot(2));
        Assert.Equal(SystemMachine.UserDs, m.StackSlot(5));
        Assert.Equal(1, m.Cpu.Counters.Transitions(TransitionKind.Syscall));
        Assert.Equal(1, m.Cpu.Counters.Transitions(TransitionKind.Sysret));
    }

    [Fact]
    public void SyscallMasksRflagsAndLoadsFlatKernelSegments()
    {
        using var m = new SystemMachine();
        ModelSpecificRegisters msr = m.Cpu.SystemRegisters.Msr;
        msr.Star = (0x18UL << 48) | ((ulong)SystemMachine.KernelCs << 32);
        msr.Lstar = Lstar;
        msr.Fmask = SystemFlags.Interrupt;
        m.Load(Lstar, a => a.hlt());
        m.Load(SystemMachine.UserCode, a => a.syscall());
        m.EnterUser();

        Assert.Equal(StopReason.Halted, m.Run());

        CpuState s = m.State;
        Assert.Equal(Lstar + 1, s.Rip);
        Assert.Equal(0, s.Cpl);
        Assert.Equal(SystemMachine.KernelCs, s.Segments[SegmentIndex.Cs].Selector);
        Assert.Equal(SystemMachine.KernelDs, s.Segments[SegmentIndex.Ss].Selector);
        Assert.Equal(0UL, s.Rflags & SystemFlags.Interrupt);
        Assert.True(ProcessorMode.Is64Bit(s));
    }

    [Fact]
    public void SyscallWithoutEferSceIsInvalidOpcode()
    {
        using var m = new SystemMachine();
        m.State.Efer &= ~ProcessorMode.EferSce;
        m.Load(SystemMachine.UserCode, a => a.syscall());
        m.EnterUser();

        m.RunToHandler(ExceptionVector.InvalidOpcode);
    }

    [Fact]
    public void SysretToCompatibilityModeLoadsThe32BitUserSegment()
    {
        using var m = new SystemMachine();
        m.Cpu.SystemRegisters.Msr.Star = (0x18UL << 48) | ((ulong)SystemMachine.KernelCs << 32);
        m.Load(SystemMachine.KernelCode, a => a.sysret());
        m.State.Gpr[1] = SystemMachine.UserCode;
        m.State.Gpr[11] = 0x2;
        m.Load(SystemMachine.UserCode, a => a.hlt(), bitness: 32);

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(SystemMachine.UserCs32, m.StackSlot(2));
        Assert.Equal(SystemMachine.UserCode, m.StackSlot(1));
    }

    [Fact]
    public void SysretWithNonCanonicalRcxIsGeneralProtectionAtCpl0()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a => a.sysretq());
        m.State.Gpr[1] = 0x0000_8000_0000_0000;

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(SystemMachine.KernelCs, m.StackSlot(2));
    }

    [Fact]
    public void IretqToCpl3LoadsUserSegmentsAndFlags()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.push(SystemMachine.UserDs);
            a.push((int)SystemMachine.UserStack);
            a.push(0x202);
            a.push(SystemMachine.UserCs64);
            a.push((int)SystemMachine.UserCode);
            a.iretq();
        });
        m.Load(SystemMachine.UserCode, a =>
        {
            a.mov(eax, 5);
            a.hlt();
        });

        m.RunToHandler(ExceptionVector.GeneralProtection);

        CpuState s = m.State;
        Assert.Equal(5UL, s.Gpr[0]);
        Assert.Equal(SystemMachine.UserCode + 5, m.StackSlot(1));
        Assert.Equal(SystemMachine.UserCs64, m.StackSlot(2));
        Assert.Equal(0x202UL | SystemFlags.Resume, m.StackSlot(3)); // RF: a fault's frame (SDM 18.3.1.1)
        Assert.Equal(SystemMachine.UserStack, m.StackSlot(4));
        Assert.Equal(SystemMachine.UserDs, m.StackSlot(5));
        Assert.Equal(1, m.Cpu.Counters.Transitions(TransitionKind.IretToUser));
    }

    [Fact]
    public void IretqToCpl3WithKernelStackSegmentIsGeneralProtection()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.push(SystemMachine.KernelDs);
            a.push((int)SystemMachine.UserStack);
            a.push(0x202);
            a.push(SystemMachine.UserCs64);
            a.push((int)SystemMachine.UserCode);
            a.iretq();
        });

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal((ulong)SystemMachine.KernelDs, m.StackSlot(0));
        Assert.Equal(0, m.State.Cpl);
    }

    [Fact]
    public void InterruptThenIretqReturnsToTheInterruptedUserCode()
    {
        using var m = new SystemMachine();
        ulong handler = 0x31000;
        m.SetGate(0x80, dpl: 3, target: handler);
        m.Load(handler, a =>
        {
            a.mov(r8, rsp);
            a.iretq();
        });
        m.Load(SystemMachine.UserCode, a =>
        {
            a.@int(0x80);
            a.mov(r9, rsp);
            a.hlt();
        });
        m.EnterUser();

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(SystemMachine.Rsp0 - (5 * 8), m.State.Gpr[8]);
        Assert.Equal(SystemMachine.UserStack, m.State.Gpr[9]);
    }

    [Fact]
    public void InputFromAPortTheTssBitmapAllowsSucceedsAtCpl3()
    {
        using var m = new SystemMachine();
        m.Ports.Register(0x60, 2, new ConstantPort(0xAB));
        m.AllowPorts(0x60, 1);
        m.Load(SystemMachine.UserCode, a =>
        {
            a.@in(al, 0x60);
            a.@in(al, 0x61);
        });
        m.EnterUser();

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(0xABUL, m.State.Gpr[0] & 0xFF);
        Assert.Equal(SystemMachine.UserCode + 2, m.StackSlot(1)); // the second IN was denied
        Assert.Equal(0UL, m.StackSlot(0));
    }

    [Fact]
    public void WordAccessNeedsEveryPortOfItAllowed()
    {
        using var m = new SystemMachine();
        m.AllowPorts(0x70, 1);
        m.EnterUser();

        Assert.True(TaskStateSegment.IoBitmapAllows(m.Cpu, 0x70, 1));
        Assert.False(TaskStateSegment.IoBitmapAllows(m.Cpu, 0x70, 2));
        m.AllowPorts(0x71, 1);
        Assert.True(TaskStateSegment.IoBitmapAllows(m.Cpu, 0x70, 2));
    }

    [Fact]
    public void IoplThreeAllowsEveryPortWithoutTheBitmap()
    {
        using var m = new SystemMachine();
        m.Ports.Register(0x80, 1, new ConstantPort(0x5A));
        m.Load(SystemMachine.UserCode, a =>
        {
            a.@in(al, 0x80);
            a.hlt();
        });
        m.EnterUser(rflags: 0x3202);

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(0x5AUL, m.State.Gpr[0] & 0xFF);
    }

    [Fact]
    public void FarReturnToOuterLevelLoadsTheCallerStack()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.push(SystemMachine.UserDs);
            a.push((int)SystemMachine.UserStack);
            a.push(SystemMachine.UserCs64);
            a.push((int)SystemMachine.UserCode);
            a.db(0x48, 0xCB); // RETFQ
        });
        m.Load(SystemMachine.UserCode, a => a.hlt());

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(SystemMachine.UserCs64, m.StackSlot(2));
        Assert.Equal(SystemMachine.UserStack, m.StackSlot(4));
        Assert.Equal(1, m.Cpu.Counters.Transitions(TransitionKind.FarTransfer));
    }

    private sealed class ConstantPort(uint value) : IPortDevice
    {
        public uint In(ushort port, int size) => value;

        public void Out(ushort port, int size, uint value)
        {
        }
    }
}
