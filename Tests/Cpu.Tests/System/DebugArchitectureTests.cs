using Cpu.Debug;
using Cpu.Execution;
using Cpu.System;
using Mmu.Watch;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>
/// The guest's debug registers and TF (Intel SDM Vol. 3B, 18.2-18.3): #DB frames in long mode and 32-bit
/// protected mode, and the points where QEMU departs from the SDM (the `debug` test kernel accepts QEMU's
/// behaviour there, so emu's is pinned here). Cpu.Tests.Compiled runs them again with every block compiled.
/// </summary>
public class DebugArchitectureTests
{
    private const ulong Data = 0x5000;
    private const ulong Dr7Fixed = 0x400;

    /// <summary>DR7 bits enabling slot <paramref name="n"/> locally with R/W <paramref name="rw"/> and LEN code <paramref name="len"/>.</summary>
    private static ulong Slot(int n, int rw, int len = 0) => (1UL << (2 * n)) | ((ulong)rw << (16 + (4 * n))) | ((ulong)len << (18 + (4 * n)));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void InstructionBreakpointIsAFaultWithRfClearInTheFrame(bool longMode)
    {
        using var m = new SystemMachine(longMode);
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.nop();
            a.nop();
            a.hlt();
        });
        m.Cpu.GuestDebug.Write(1, SystemMachine.KernelCode + 1);
        m.Cpu.GuestDebug.Write(7, Dr7Fixed | Slot(1, 0));

        m.RunToHandler(ExceptionVector.Debug);

        int size = longMode ? 8 : 4;
        Assert.Equal(SystemMachine.KernelCode + 1, m.StackSlot(0, size));
        Assert.Equal(SystemMachine.KernelCs, m.StackSlot(1, size));
        Assert.Equal(0UL, m.StackSlot(2, size) & SystemFlags.Resume);
        Assert.Equal(DebugRegisters.Dr6Fixed | 2, m.Cpu.GuestDebug.Read(6));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void IretWithRfRunsTheBreakpointInstructionOnceThenRfIsClear(bool longMode)
    {
        using var m = new SystemMachine(longMode);
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.inc(ebx);
            a.jmp(SystemMachine.KernelCode);
        });
        m.Cpu.GuestDebug.Write(0, SystemMachine.KernelCode);
        m.Cpu.GuestDebug.Write(7, Dr7Fixed | Slot(0, 0));
        m.State.Rflags |= SystemFlags.Resume;

        m.RunToHandler(ExceptionVector.Debug);

        // INC ran once (RF), then the loop came back to the breakpoint: RF was cleared after one instruction.
        Assert.Equal(1UL, m.State.Gpr[3]);
        Assert.Equal(SystemMachine.KernelCode, m.StackSlot(0, longMode ? 8 : 4));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DataWriteWatchpointTrapsAfterTheStoreWithTheLowAddressBitsIgnored(bool longMode)
    {
        using var m = new SystemMachine(longMode);
        int store = SystemMachine.Length(a => a.mov(__dword_ptr[(int)Data], eax), longMode ? 64 : 32);
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(__dword_ptr[(int)Data + 8], eax); // beside the watched quadword
            a.mov(__dword_ptr[(int)Data], eax);
            a.nop();
            a.hlt();
        });
        m.Cpu.GuestDebug.Write(2, Data + 5); // LEN 8: the watched range is Data..Data+7 (SDM 18.2.5)
        m.Cpu.GuestDebug.Write(7, Dr7Fixed | Slot(2, 1, len: 2));

        m.RunToHandler(ExceptionVector.Debug);

        Assert.Equal(SystemMachine.KernelCode + (ulong)(2 * store), m.StackSlot(0, longMode ? 8 : 4));
        Assert.Equal(DebugRegisters.Dr6Fixed | 4, m.Cpu.GuestDebug.Read(6));
    }

    [Fact]
    public void OneStoreHittingTwoWatchpointsSetsBothBits()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(__qword_ptr[(int)Data], rax);
            a.hlt();
        });
        m.Cpu.GuestDebug.Write(0, Data);
        m.Cpu.GuestDebug.Write(3, Data + 4);
        m.Cpu.GuestDebug.Write(7, Dr7Fixed | Slot(0, 1, len: 2) | Slot(3, 3, len: 3));

        m.RunToHandler(ExceptionVector.Debug);

        Assert.Equal(DebugRegisters.Dr6Fixed | 9, m.Cpu.GuestDebug.Read(6));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SingleStepTrapsAfterTheInstructionWithBs(bool longMode)
    {
        using var m = new SystemMachine(longMode);
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.inc(eax);
            a.inc(eax);
            a.hlt();
        });
        m.State.Rflags |= SystemFlags.Trap;

        m.RunToHandler(ExceptionVector.Debug);

        int size = longMode ? 8 : 4;
        Assert.Equal(1UL, m.State.Gpr[0]);
        Assert.Equal(SystemMachine.KernelCode + (ulong)SystemMachine.Length(a => a.inc(eax), size * 8), m.StackSlot(0, size));
        Assert.Equal(SystemFlags.Trap, m.StackSlot(2, size) & (SystemFlags.Trap | SystemFlags.Resume));
        Assert.Equal(0UL, m.State.Rflags & SystemFlags.Trap);
        Assert.Equal(DebugRegisters.Dr6Fixed | DebugRegisters.BS, m.Cpu.GuestDebug.Read(6));
    }

    [Fact]
    public void SingleStepAtCpl3IsDeliveredOnTheKernelStack()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.UserCode, a =>
        {
            a.nop();
            a.nop();
        });
        m.EnterUser(0x202 | SystemFlags.Trap);

        m.RunToHandler(ExceptionVector.Debug);

        Assert.Equal(SystemMachine.Rsp0 - (5 * 8), m.State.Gpr[4]);
        Assert.Equal(SystemMachine.UserCode + 1, m.StackSlot(0));
        Assert.Equal(SystemMachine.UserCs64, m.StackSlot(1));
        Assert.Equal(SystemMachine.UserStack, m.StackSlot(3));
        Assert.Equal(SystemMachine.UserDs, m.StackSlot(4));
    }

    [Fact]
    public void SingleStepIsNotReportedAfterAnInstructionThatRaisesAnInterrupt()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a => a.@int(0x40));
        m.State.Rflags |= SystemFlags.Trap;

        m.RunToHandler(0x40);

        Assert.Equal(SystemFlags.Trap, m.StackSlot(2) & SystemFlags.Trap);
        Assert.Equal(DebugRegisters.Dr6Fixed, m.Cpu.GuestDebug.Read(6));
    }

    [Fact]
    public void MovSsHoldsTheSingleStepTrapUntilAfterTheNextInstruction()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(eax, (int)SystemMachine.KernelDs);
            a.mov(ss, eax);
            a.nop();
            a.nop();
        });
        int first = SystemMachine.Length(a => a.mov(eax, (int)SystemMachine.KernelDs));
        int movSs = SystemMachine.Length(a => a.mov(ss, eax));
        m.Cpu.Run(1); // MOV EAX, untraced
        m.State.Rflags |= SystemFlags.Trap;

        m.RunToHandler(ExceptionVector.Debug);

        Assert.Equal(SystemMachine.KernelCode + (ulong)(first + movSs + 1), m.StackSlot(0));
    }

    [Fact]
    public void StiDoesNotHoldTheSingleStepTrap()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.sti();
            a.nop();
        });
        m.State.Rflags |= SystemFlags.Trap;

        m.RunToHandler(ExceptionVector.Debug);

        Assert.Equal(SystemMachine.KernelCode + 1, m.StackSlot(0));
    }

    [Fact]
    public void GeneralDetectFaultsBeforeTheMoveWithBdSetGdClearedAndRfPushed()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a => a.mov(rax, dr0));
        m.Cpu.GuestDebug.Write(0, 0x1234);
        m.Cpu.GuestDebug.Write(7, Dr7Fixed | DebugRegisters.GeneralDetect);

        m.RunToHandler(ExceptionVector.Debug);

        Assert.Equal(SystemMachine.KernelCode, m.StackSlot(0));
        Assert.Equal(SystemFlags.Resume, m.StackSlot(2) & SystemFlags.Resume);
        Assert.Equal(0UL, m.State.Gpr[0]);
        Assert.Equal(DebugRegisters.Dr6Fixed | DebugRegisters.BD, m.Cpu.GuestDebug.Read(6));
        Assert.Equal(Dr7Fixed, m.Cpu.GuestDebug.Read(7));
    }

    [Fact]
    public void IoBreakpointNeedsCr4DeAndTrapsAfterTheAccess()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.@out(0x80, al);
            a.mov(cr4, rbx);
            a.@out(0x80, al);
            a.nop();
        });
        m.State.Gpr[3] = m.State.Cr4 | ControlRegisters.Cr4De;
        m.Cpu.GuestDebug.Write(3, 0x80);
        m.Cpu.GuestDebug.Write(7, Dr7Fixed | Slot(3, 2));

        m.RunToHandler(ExceptionVector.Debug);

        ulong afterSecondOut = SystemMachine.KernelCode + (ulong)(2 + SystemMachine.Length(a => a.mov(cr4, rbx)) + 2);
        Assert.Equal(afterSecondOut, m.StackSlot(0));
        Assert.Equal(DebugRegisters.Dr6Fixed | 8, m.Cpu.GuestDebug.Read(6));
    }

    [Fact]
    public void MovDr4WithCr4DeIsInvalidAndAliasesDr6Without()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(rax, dr4);
            a.mov(cr4, rbx);
            a.mov(rax, dr4);
        });
        m.State.Gpr[3] = m.State.Cr4 | ControlRegisters.Cr4De;

        m.RunToHandler(ExceptionVector.InvalidOpcode);

        Assert.Equal(DebugRegisters.Dr6Fixed, m.State.Gpr[0]);
        Assert.Equal(SystemMachine.KernelCode + 3 + (ulong)SystemMachine.Length(a => a.mov(cr4, rbx)), m.StackSlot(0));
    }

    [Fact]
    public void TheExternalDebuggersWatchpointStopsTheMachineAndRaisesNoGuestDebugException()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(__qword_ptr[(int)Data], rax);
            a.mov(__qword_ptr[(int)Data + 64], rax);
            a.hlt();
        });
        m.Cpu.Debugger.AddWatchpoint(Data, 8, WatchKind.Write);
        m.Cpu.GuestDebug.Write(0, Data + 64);
        m.Cpu.GuestDebug.Write(7, Dr7Fixed | Slot(0, 1, len: 2));

        Assert.Equal(StopReason.Debug, m.Cpu.Run(100));
        Assert.Equal(DebugStopKind.Watchpoint, m.Cpu.Debugger.LastStop);
        Assert.Equal(DebugRegisters.Dr6Fixed, m.Cpu.GuestDebug.Read(6));
        m.Cpu.Debugger.Clear();

        m.RunToHandler(ExceptionVector.Debug);
        Assert.Equal(DebugRegisters.Dr6Fixed | 1, m.Cpu.GuestDebug.Read(6));
    }
}
