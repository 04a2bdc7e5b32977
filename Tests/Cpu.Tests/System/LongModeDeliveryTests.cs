using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>Exception and interrupt delivery through the IDT in IA-32e mode (Intel SDM 6.14).</summary>
public class LongModeDeliveryTests
{
    public static TheoryData<string> PrivilegedAtCpl3 => new()
    {
        "wrmsr", "rdmsr", "mov cr3", "mov cr0 read", "lgdt", "lidt", "ltr", "hlt", "cli", "sti", "in", "out",
        "invlpg", "swapgs", "wbinvd", "clts", "mov dr7", "sysret",
    };

    [Theory]
    [MemberData(nameof(PrivilegedAtCpl3))]
    public void PrivilegedInstructionAtCpl3RaisesGeneralProtectionOnTheKernelStack(string which)
    {
        using var m = new SystemMachine();
        Action<Assembler> code = which switch
        {
            "wrmsr" => a => a.wrmsr(),
            "rdmsr" => a => a.rdmsr(),
            "mov cr3" => a => a.mov(cr3, rax),
            "mov cr0 read" => a => a.mov(rax, cr0),
            "lgdt" => a => a.lgdt(__[rax]),
            "lidt" => a => a.lidt(__[rax]),
            "ltr" => a => a.ltr(ax),
            "hlt" => a => a.hlt(),
            "cli" => a => a.cli(),
            "sti" => a => a.sti(),
            "in" => a => a.@in(al, 0x60),
            "out" => a => a.@out(dx, al),
            "invlpg" => a => a.invlpg(__[rax]),
            "swapgs" => a => a.swapgs(),
            "wbinvd" => a => a.wbinvd(),
            "clts" => a => a.clts(),
            "mov dr7" => a => a.mov(dr7, rax),
            _ => a => a.sysretq(),
        };
        m.Load(SystemMachine.UserCode, a =>
        {
            a.nop();
            code(a);
        });
        m.EnterUser();
        m.State.Gpr[0] = 0x1000;

        m.RunToHandler(ExceptionVector.GeneralProtection);

        CpuState s = m.State;
        Assert.Equal(0, s.Cpl);
        Assert.False(m.Memory.UserMode);
        Assert.Equal(SystemMachine.KernelCs, s.Segments[SegmentIndex.Cs].Selector);
        Assert.Equal(SystemMachine.Rsp0 - (6 * 8), s.Gpr[4]);
        Assert.Equal(0UL, m.StackSlot(0)); // error code
        Assert.Equal(SystemMachine.UserCode + 1, m.StackSlot(1)); // RIP of the faulting instruction
        Assert.Equal(SystemMachine.UserCs64, m.StackSlot(2));
        Assert.Equal(0x202UL | SystemFlags.Resume, m.StackSlot(3)); // RF: a fault's frame (SDM 18.3.1.1)
        Assert.Equal(SystemMachine.UserStack, m.StackSlot(4));
        Assert.Equal(SystemMachine.UserDs, m.StackSlot(5));
        Assert.Equal(0UL, s.Rflags & SystemFlags.Interrupt);
        Assert.Equal(0, s.Segments[SegmentIndex.Ss].Selector);
        Assert.Equal(1, m.Cpu.Counters.Transitions(TransitionKind.ExceptionFromUser));
        Assert.Equal(1, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.GeneralProtection]);
    }

    [Fact]
    public void FaultAtCpl0StaysOnTheCurrentStackAlignedTo16Bytes()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a => a.ud2());
        m.State.Gpr[4] = SystemMachine.KernelStack - 8;

        m.RunToHandler(ExceptionVector.InvalidOpcode);

        CpuState s = m.State;
        Assert.Equal(SystemMachine.KernelStack - 16 - (5 * 8), s.Gpr[4]);
        Assert.Equal(SystemMachine.KernelCode, m.StackSlot(0));
        Assert.Equal(SystemMachine.KernelCs, m.StackSlot(1));
        Assert.Equal(SystemMachine.KernelStack - 8, m.StackSlot(3));
        Assert.Equal(SystemMachine.KernelDs, m.StackSlot(4));
        Assert.Equal(SystemMachine.KernelDs, s.Segments[SegmentIndex.Ss].Selector);
    }

    [Fact]
    public void InterruptStackTableEntryReplacesTheStackEvenAtCpl0()
    {
        using var m = new SystemMachine();
        m.SetGate(ExceptionVector.Breakpoint, dpl: 0, ist: 1);
        m.Load(SystemMachine.KernelCode, a => a.int3());

        m.RunToHandler(ExceptionVector.Breakpoint);

        Assert.Equal(SystemMachine.Ist1 - (5 * 8), m.State.Gpr[4]);
        Assert.Equal(SystemMachine.KernelCode + 1, m.StackSlot(0)); // INT3 is a trap: RIP after it
        Assert.Equal(SystemMachine.KernelStack, m.StackSlot(3));
    }

    [Fact]
    public void SoftwareInterruptThroughDpl3GateSwitchesToRsp0()
    {
        using var m = new SystemMachine();
        m.SetGate(0x80, dpl: 3, type: SystemDescriptorType.TrapGate);
        m.Load(SystemMachine.UserCode, a => a.@int(0x80));
        m.EnterUser();

        m.RunToHandler(0x80);

        CpuState s = m.State;
        Assert.Equal(SystemMachine.Rsp0 - (5 * 8), s.Gpr[4]);
        Assert.Equal(SystemMachine.UserCode + 2, m.StackSlot(0));
        Assert.Equal(SystemFlags.Interrupt, s.Rflags & SystemFlags.Interrupt); // trap gate keeps IF
        Assert.Equal(1, m.Cpu.Counters.Transitions(TransitionKind.SoftwareInterruptFromUser));
    }

    [Fact]
    public void SoftwareInterruptThroughDpl0GateFromCpl3IsGeneralProtectionWithTheIdtErrorCode()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.UserCode, a => a.@int(0x80));
        m.EnterUser();

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal((0x80UL * 8) | 2, m.StackSlot(0)); // IDT bit, EXT clear for INT n
        Assert.Equal(SystemMachine.UserCode, m.StackSlot(1));
    }

    [Fact]
    public void NotPresentGateRaisesSegmentNotPresent()
    {
        using var m = new SystemMachine();
        m.SetGate(0x40, dpl: 0, present: false);
        m.Load(SystemMachine.KernelCode, a => a.@int(0x40));

        m.RunToHandler(ExceptionVector.SegmentNotPresent);

        Assert.Equal((0x40UL * 8) | 2, m.StackSlot(0));
        Assert.Equal(SystemMachine.KernelCode, m.StackSlot(1));
    }

    [Fact]
    public void ExternalInterruptWithBadGateSetsTheExtBit()
    {
        using var m = new SystemMachine();
        m.SetGate(0x30, dpl: 0, type: SystemDescriptorType.CallGate);
        m.Load(SystemMachine.KernelCode, a => a.nop());

        InterruptDelivery.Deliver(m.Cpu, 0x30, null, software: false);

        Assert.Equal(SystemMachine.Handler(ExceptionVector.GeneralProtection), m.State.Rip);
        Assert.Equal((0x30UL * 8) | 2 | 1, m.StackSlot(0));
    }

    [Fact]
    public void PageFaultFramePushesItsErrorCode()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a => a.nop());
        m.State.Cr2 = 0xDEAD_B000;

        InterruptDelivery.Deliver(m.Cpu, ExceptionVector.PageFault, 0x6, software: false);

        Assert.Equal(SystemMachine.Handler(ExceptionVector.PageFault), m.State.Rip);
        Assert.Equal(0x6UL, m.StackSlot(0));
        Assert.Equal(SystemMachine.KernelCode, m.StackSlot(1));
        Assert.Equal(0xDEAD_B000UL, m.State.Cr2);
    }

    [Fact]
    public void GateTargetingA32BitCodeSegmentInLongModeIsGeneralProtection()
    {
        using var m = new SystemMachine();
        m.SetGate(0x41, dpl: 0, selector: SystemMachine.KernelCs32);
        m.Load(SystemMachine.KernelCode, a => a.@int(0x41));

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal((ulong)SystemMachine.KernelCs32, m.StackSlot(0));
    }

    [Fact]
    public void VectorBeyondIdtLimitIsGeneralProtection()
    {
        using var m = new SystemMachine();
        m.State.IdtrLimit = (16 * 0x20) - 1;
        m.Load(SystemMachine.KernelCode, a => a.@int(0x50));

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal((0x50UL * 8) | 2, m.StackSlot(0));
    }

    [Fact]
    public void ContributoryFaultWhileDeliveringGeneralProtectionIsADoubleFault()
    {
        using var m = new SystemMachine();
        m.SetGate(ExceptionVector.GeneralProtection, dpl: 0, present: false);
        m.Load(SystemMachine.UserCode, a => a.hlt());
        m.EnterUser();

        m.RunToHandler(ExceptionVector.DoubleFault);

        Assert.Equal(0UL, m.StackSlot(0));
        Assert.Equal(SystemMachine.UserCode, m.StackSlot(1));
        Assert.Equal(SystemMachine.UserCs64, m.StackSlot(2));
        Assert.Equal(1, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.DoubleFault]);
    }

    [Fact]
    public void BenignExceptionWhoseDeliveryFaultsIsHandledSerially()
    {
        using var m = new SystemMachine();
        m.SetGate(ExceptionVector.InvalidOpcode, dpl: 0, present: false);
        m.Load(SystemMachine.KernelCode, a => a.ud2());

        m.RunToHandler(ExceptionVector.SegmentNotPresent);

        Assert.Equal((6UL * 8) | 2 | 1, m.StackSlot(0));
    }

    [Fact]
    public void FaultWhileDeliveringADoubleFaultIsATripleFault()
    {
        using var m = new SystemMachine();
        m.SetGate(ExceptionVector.GeneralProtection, dpl: 0, present: false);
        m.SetGate(ExceptionVector.DoubleFault, dpl: 0, present: false);
        m.Load(SystemMachine.UserCode, a => a.hlt());
        m.EnterUser();

        Assert.Equal(StopReason.TripleFault, m.Run());
        Assert.Contains("triple fault", m.Cpu.TripleFaultMessage);
    }

    [Fact]
    public void StackSwitchBeyondTheTssLimitRaisesInvalidTssNamingTheTss()
    {
        using var m = new SystemMachine();
        m.SetGate(0x80, dpl: 3);
        m.EnterUser();
        m.State.Tr.Limit = 0x3;

        var e = Assert.Throws<CpuException>(() => InterruptDelivery.DeliverOnce(m.Cpu, 0x80, null, software: true));

        Assert.Equal(ExceptionVector.InvalidTss, e.Vector);
        Assert.Equal((uint)SystemMachine.TssSelector, e.ErrorCode);
        Assert.Equal(3, m.State.Cpl);
        Assert.Equal(SystemMachine.UserStack, m.State.Gpr[4]);
    }

    [Fact]
    public void NonCanonicalRsp0RaisesStackFault()
    {
        using var m = new SystemMachine();
        m.SetGate(0x80, dpl: 3);
        m.SetGate(ExceptionVector.StackFault, dpl: 0, ist: 1);
        m.Write64(SystemMachine.Tss + 4, 0x8000_0000_0000_0000);
        m.Load(SystemMachine.UserCode, a => a.@int(0x80));
        m.EnterUser();

        m.RunToHandler(ExceptionVector.StackFault);

        Assert.Equal(SystemMachine.Ist1 - (6 * 8), m.State.Gpr[4]);
        Assert.Equal(0UL, m.StackSlot(0));
        Assert.Equal(SystemMachine.UserCode, m.StackSlot(1));
        Assert.Equal(SystemMachine.UserCs64, m.StackSlot(2));
    }

    [Fact]
    public void ExternalInterruptAtCpl3IsDeliveredAfterTheCurrentInstructionOnRsp0()
    {
        using var m = new SystemMachine();
        var apic = new OneShotApic(0x20);
        m.Cpu.InterruptController = apic;
        m.Load(SystemMachine.UserCode, a =>
        {
            a.nop();
            a.jmp(SystemMachine.UserCode + 1);
        });
        m.EnterUser();

        m.RunToHandler(0x20);

        CpuState s = m.State;
        Assert.Equal(SystemMachine.Rsp0 - (5 * 8), s.Gpr[4]); // no error code for an external interrupt
        Assert.Equal(SystemMachine.UserCs64, m.StackSlot(1));
        Assert.Equal(0x202UL, m.StackSlot(2));
        Assert.Equal(0UL, s.Rflags & SystemFlags.Interrupt);
        Assert.Equal(1, m.Cpu.Counters.InterruptsByVector[0x20]);
        Assert.Equal(1, m.Cpu.Counters.Transitions(TransitionKind.InterruptFromUser));
    }

    private sealed class OneShotApic(int vector) : Mmu.Interrupts.IInterruptController
    {
        private bool pending = true;

        public bool HasPendingInterrupt => pending;

        public ulong TaskPriority { get; set; }

        public int Acknowledge()
        {
            pending = false;
            return vector;
        }
    }
}
