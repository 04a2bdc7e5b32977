using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>
/// With the MMU's page walker: the 32-bit protected mode to long mode switch (SDM 9.8.5), page faults
/// with CR2, and a page fault while delivering an exception.
/// </summary>
public class PagingTransitionTests
{
    private const ulong Pml4 = 0x100000;
    private const ulong Pdpt = 0x101000;
    private const ulong PageDirectory = 0x102000;

    /// <summary>Identity-maps the first 4 MiB with two 2 MiB pages, user-accessible unless told otherwise.</summary>
    private static void BuildIdentityTables(SystemMachine m, bool userAccessible = true)
    {
        ulong user = userAccessible ? 4UL : 0;
        m.Write64(Pml4, Pdpt | 3 | user);
        m.Write64(Pdpt, PageDirectory | 3 | user);
        m.Write64(PageDirectory, 0x0 | 0x83 | user);
        m.Write64(PageDirectory + 8, 0x200000 | 0x83 | user);
    }

    [Fact]
    public void ProtectedModeKernelEntersLongModeThroughPaeLmePgAndAFarJump()
    {
        using var m = new SystemMachine(longMode: false);
        BuildIdentityTables(m);
        m.WriteDescriptor(0x50, SystemMachine.Code64Dpl0);
        ulong target = 0x12000;
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(eax, cr4);
            a.or(eax, (int)ControlRegisters.Cr4Pae);
            a.mov(cr4, eax);
            a.mov(ecx, MsrIndex.Efer);
            a.rdmsr();
            a.or(eax, (int)ProcessorMode.EferLme);
            a.wrmsr();
            a.mov(eax, (uint)Pml4);
            a.mov(cr3, eax);
            a.mov(eax, cr0);
            a.or(eax, unchecked((int)ControlRegisters.Cr0Pg));
            a.mov(cr0, eax);
            a.mov(esi, 1); // compatibility mode runs 32-bit code
            a.jmp(0x50, (uint)target);
        });
        m.Load(target, a =>
        {
            a.mov(rax, 0x1234_5678_9ABC_DEF0);
            a.hlt();
        }, bitness: 64);

        Assert.Equal(StopReason.Halted, m.Run());

        CpuState s = m.State;
        Assert.Equal(1UL, s.Gpr[6]);
        Assert.Equal(0x1234_5678_9ABC_DEF0UL, s.Gpr[0]);
        Assert.Equal(ProcessorMode.EferLma | ProcessorMode.EferLme, s.Efer & (ProcessorMode.EferLma | ProcessorMode.EferLme));
        Assert.True(ProcessorMode.Is64Bit(s));
        Assert.Equal((ushort)0x50, s.Segments[SegmentIndex.Cs].Selector);
        Assert.Equal(s.Efer, m.Memory.Efer);
    }

    [Fact]
    public void PaePagingWithReservedPdpteBitsMakesMovToCr0GeneralProtection()
    {
        using var m = new SystemMachine(longMode: false);
        m.Write64(Pml4, Pdpt | 1 | (1UL << 5) | (1UL << 1)); // PDPTE with reserved bits (R/W is reserved in PAE PDPTEs)
        m.State.Cr3 = Pml4;
        m.Memory.LoadCr3(Pml4);
        ControlRegisters.WriteCr4(m.Cpu, ControlRegisters.Cr4Pae);

        var e = Assert.Throws<CpuException>(() => ControlRegisters.WriteCr0(m.Cpu, m.State.Cr0 | ControlRegisters.Cr0Pg));

        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(0UL, m.State.Cr0 & ControlRegisters.Cr0Pg);
    }

    [Fact]
    public void PageFaultLoadsCr2AndPushesTheWalkersErrorCode()
    {
        using var m = new SystemMachine();
        BuildIdentityTables(m);
        EnablePaging(m);
        m.Load(SystemMachine.UserCode, a =>
        {
            a.mov(eax, 0x50_0000); // beyond the mapped 4 MiB
            a.mov(ebx, __dword_ptr[rax + 8]);
        });
        m.EnterUser();

        m.RunToHandler(ExceptionVector.PageFault);

        Assert.Equal(0x50_0008UL, m.State.Cr2);
        Assert.Equal(4UL, m.StackSlot(0)); // not present, read, user
        Assert.Equal(SystemMachine.UserCode + 5, m.StackSlot(1));
        Assert.Equal(SystemMachine.Rsp0 - (6 * 8), m.State.Gpr[4]);
    }

    [Fact]
    public void PageFaultWhilePushingTheFrameOfAPageFaultIsADoubleFault()
    {
        using var m = new SystemMachine();
        BuildIdentityTables(m);
        EnablePaging(m);
        m.Write64(SystemMachine.Tss + 4, 0x60_0000); // RSP0 in unmapped memory
        m.SetGate(ExceptionVector.DoubleFault, dpl: 0, ist: 1);
        m.Load(SystemMachine.UserCode, a =>
        {
            a.mov(eax, 0x50_0000);
            a.mov(__dword_ptr[rax], ebx);
        });
        m.EnterUser();

        m.RunToHandler(ExceptionVector.DoubleFault);

        Assert.Equal(0x60_0000UL - 8, m.State.Cr2); // the first push of the #PF frame
        Assert.Equal(0UL, m.StackSlot(0));
        Assert.Equal(SystemMachine.UserCode + 5, m.StackSlot(1));
        Assert.Equal(SystemMachine.Ist1 - (6 * 8), m.State.Gpr[4]);
        Assert.Equal(1, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.DoubleFault]);
    }

    [Fact]
    public void SupervisorOnlyPagesFaultForUserCodeButNotForDelivery()
    {
        using var m = new SystemMachine();
        BuildIdentityTables(m, userAccessible: false);
        EnablePaging(m);
        m.EnterUser();

        m.RunToHandler(ExceptionVector.PageFault); // the instruction fetch at CPL 3

        Assert.Equal(SystemMachine.UserCode, m.State.Cr2);
        Assert.Equal(0x15UL, m.StackSlot(0)); // present, user, instruction fetch
    }

    private static void EnablePaging(SystemMachine m)
    {
        CpuState s = m.State;
        s.Cr3 = Pml4;
        m.Memory.LoadCr3(Pml4);
        s.Cr0 |= ControlRegisters.Cr0Pg;
        s.Efer |= ProcessorMode.EferNxe;
        m.Memory.SetPagingControls(s.Cr0, s.Cr4, s.Efer);
    }
}
