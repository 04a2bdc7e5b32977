using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>MOV Sreg, LLDT, LTR and far JMP: the descriptor checks of Intel SDM 5.5-5.8.</summary>
public class SegmentLoadTests
{
    [Fact]
    public void LoadingANotPresentDataSegmentIsSegmentNotPresent()
    {
        using var m = new SystemMachine();
        var e = Assert.Throws<CpuException>(() => SegmentLoading.Load(m.Cpu, SegmentIndex.Ds, SystemMachine.AbsentData));
        Assert.Equal(ExceptionVector.SegmentNotPresent, e.Vector);
        Assert.Equal((uint)SystemMachine.AbsentData, e.ErrorCode);
    }

    [Fact]
    public void UserCodeCannotLoadAKernelDataSegment()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.UserCode, a =>
        {
            a.mov(eax, SystemMachine.KernelDs | 3);
            a.mov(ds, ax);
        });
        m.EnterUser();

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal((ulong)SystemMachine.KernelDs, m.StackSlot(0));
        Assert.Equal(SystemMachine.UserCode + 5, m.StackSlot(1));
    }

    [Fact]
    public void SelectorBeyondTheGdtLimitIsGeneralProtectionNamingIt()
    {
        using var m = new SystemMachine();
        var e = Assert.Throws<CpuException>(() => SegmentLoading.Load(m.Cpu, SegmentIndex.Es, 0x80));
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(0x80u, e.ErrorCode);
    }

    [Fact]
    public void NullStackSegmentIsAllowedOnlyBelowCpl3In64BitMode()
    {
        using var m = new SystemMachine();
        SegmentLoading.Load(m.Cpu, SegmentIndex.Ss, 0);
        Assert.Equal(0, m.State.Segments[SegmentIndex.Ss].Selector);

        m.EnterUser();
        var e = Assert.Throws<CpuException>(() => SegmentLoading.Load(m.Cpu, SegmentIndex.Ss, 3));
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(0u, e.ErrorCode);
        Assert.Equal(SystemMachine.UserDs, m.State.Segments[SegmentIndex.Ss].Selector);
    }

    [Fact]
    public void StackSegmentMustMatchTheCpl()
    {
        using var m = new SystemMachine();
        var e = Assert.Throws<CpuException>(() => SegmentLoading.Load(m.Cpu, SegmentIndex.Ss, SystemMachine.UserDs));
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal((uint)(SystemMachine.UserDs & ~3), e.ErrorCode);
    }

    [Fact]
    public void NullDataSegmentLoadsAnUnusableSegment()
    {
        using var m = new SystemMachine();
        SegmentLoading.Load(m.Cpu, SegmentIndex.Ds, 0);
        Assert.Equal(0, m.State.Segments[SegmentIndex.Ds].Selector);
        Assert.False(SegmentAttributes.IsPresent(m.State.Segments[SegmentIndex.Ds].Attributes));
    }

    [Fact]
    public void LoadingASegmentSetsItsAccessedBit()
    {
        using var m = new SystemMachine();
        ulong before = m.Read64(SystemMachine.Gdt + SystemMachine.KernelDs);
        Assert.Equal(0UL, (before >> 40) & 1);

        SegmentLoading.Load(m.Cpu, SegmentIndex.Fs, SystemMachine.KernelDs);

        Assert.Equal(before | (1UL << 40), m.Read64(SystemMachine.Gdt + SystemMachine.KernelDs));
        Assert.Equal(SystemMachine.KernelDs, m.State.Segments[SegmentIndex.Fs].Selector);
        Assert.Equal(0xFFFF_FFFFu, m.State.Segments[SegmentIndex.Fs].Limit);
    }

    [Fact]
    public void LtrMarksTheTssBusyAndABusyTssCannotBeLoadedAgain()
    {
        using var m = new SystemMachine();
        m.State.Tr = default;
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(eax, SystemMachine.TssSelector);
            a.ltr(ax);
            a.str(ebx);
            a.ltr(ax);
        });

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(SystemMachine.TssSelector, m.State.Tr.Selector);
        Assert.Equal(SystemMachine.Tss, m.State.Tr.Base);
        Assert.Equal((ulong)SystemMachine.TssSelector, m.State.Gpr[3]);
        Assert.Equal((ulong)SystemDescriptorType.TssBusy, (m.Read64(SystemMachine.Gdt + SystemMachine.TssSelector) >> 40) & 0xF);
        Assert.Equal((ulong)SystemMachine.TssSelector, m.StackSlot(0));
    }

    [Fact]
    public void LgdtAndSgdtRoundTripTheTenByteOperand()
    {
        using var m = new SystemMachine();
        ulong operand = 0x50000;
        m.Write16(operand, 0x7F);
        m.Write64(operand + 2, SystemMachine.Gdt);
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(eax, (int)operand);
            a.lgdt(__[rax]);
            a.sgdt(__[rax + 16]);
            a.sidt(__[rax + 32]);
            a.hlt();
        });

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(0x7FUL, m.Read64(operand + 16) & 0xFFFF);
        Assert.Equal(SystemMachine.Gdt, m.Read64(operand + 18));
        Assert.Equal((ulong)m.State.IdtrLimit, m.Read64(operand + 32) & 0xFFFF);
        Assert.Equal(SystemMachine.Idt, m.Read64(operand + 34));
    }

    [Fact]
    public void FarJumpFromCompatibilityModeEnters64BitMode()
    {
        using var m = new SystemMachine();
        ulong target = 0x12000;
        m.State.Segments[SegmentIndex.Cs] = m.Segment(SystemMachine.KernelCs32);
        Assert.False(ProcessorMode.Is64Bit(m.State));
        m.Load(SystemMachine.KernelCode, a => a.jmp(SystemMachine.KernelCs, (uint)target), bitness: 32);
        m.Load(target, a =>
        {
            a.mov(rax, 0x1_2345_6789);
            a.hlt();
        });

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.True(ProcessorMode.Is64Bit(m.State));
        Assert.Equal(0x1_2345_6789UL, m.State.Gpr[0]);
    }

    [Fact]
    public void FarJumpToAMorePrivilegedCodeSegmentIsGeneralProtection()
    {
        using var m = new SystemMachine();
        m.EnterUser();
        var e = Assert.Throws<CpuException>(() => FarTransfers.Jump(m.Cpu, SystemMachine.KernelCs | 3, 0x1000));
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal((uint)SystemMachine.KernelCs, e.ErrorCode);
    }

    [Fact]
    public void LarAndLslReportAttributesAndLimitThroughZf()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(ecx, SystemMachine.UserDs);
            a.lar(eax, ecx);
            a.lsl(ebx, ecx);
            a.mov(ecx, 0x78); // an empty GDT slot
            a.lsl(edx, ecx);
            a.setz(sil);
            a.hlt();
        });

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal((SystemMachine.DataDpl3 >> 32) & 0x00F0_FF00, m.State.Gpr[0]);
        Assert.Equal(0xFFFF_FFFFUL, m.State.Gpr[3]);
        Assert.Equal(0UL, m.State.Gpr[6] & 0xFF);
    }
}
