using Cpu.Execution;
using Cpu.State;
using Cpu.System;

namespace Cpu.Tests.System;

/// <summary>
/// WRMSR/RDMSR checks the SDM makes and QEMU 7.2 TCG does not (so not in the msr test kernel): a non-canonical
/// IA32_SYSENTER_ESP/EIP, a reserved PAT memory type, an unknown MSR and the absent MTRRs all raise #GP(0).
/// </summary>
public class MsrTests
{
    [Theory]
    [InlineData(MsrIndex.SysenterEsp, 0x8000_0000_0000_0000UL)]
    [InlineData(MsrIndex.SysenterEip, 0x0000_8000_0000_0000UL)]
    [InlineData(MsrIndex.Pat, 0x0007_0406_0007_0402UL)] // type 2 is reserved
    [InlineData(MsrIndex.Pat, 0x0007_0406_0007_0408UL)] // so is 8 and up
    [InlineData(0x1234_5678u, 0UL)] // unknown
    [InlineData(0xFEu, 0UL)] // MTRRcap: CPUID.1:EDX.MTRR is clear
    [InlineData(0x2FFu, 0UL)] // MTRRdefType
    public void WriteIsGeneralProtection(uint index, ulong value)
    {
        using var m = new SystemMachine();
        var e = Assert.Throws<CpuException>(() => m.Cpu.SystemRegisters.Msr.Write(m.Cpu, index, value));
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(0u, e.ErrorCode);
    }

    [Fact]
    public void SysenterMsrsReadBackAndResetToZero()
    {
        using var m = new SystemMachine();
        ModelSpecificRegisters msr = m.Cpu.SystemRegisters.Msr;
        msr.Write(m.Cpu, MsrIndex.SysenterCs, 0x10);
        msr.Write(m.Cpu, MsrIndex.SysenterEsp, 0xFFFF_8000_0000_1000);
        msr.Write(m.Cpu, MsrIndex.SysenterEip, 0xFFFF_8000_0000_2000);
        Assert.Equal(0x10UL, msr.Read(m.Cpu, MsrIndex.SysenterCs));
        Assert.Equal(0xFFFF_8000_0000_1000UL, msr.Read(m.Cpu, MsrIndex.SysenterEsp));
        Assert.Equal(0xFFFF_8000_0000_2000UL, msr.Read(m.Cpu, MsrIndex.SysenterEip));

        m.Cpu.Reset();
        Assert.Equal(0UL, m.Cpu.SystemRegisters.Msr.Read(m.Cpu, MsrIndex.SysenterEip));
    }

    [Fact]
    public void SysenterAndSysexitIn32BitProtectedMode()
    {
        using var m = new SystemMachine(longMode: false);
        ModelSpecificRegisters msr = m.Cpu.SystemRegisters.Msr;
        msr.Write(m.Cpu, MsrIndex.SysenterCs, SystemMachine.KernelCs);
        msr.Write(m.Cpu, MsrIndex.SysenterEsp, SystemMachine.KernelStack);
        msr.Write(m.Cpu, MsrIndex.SysenterEip, SystemMachine.KernelCode);
        m.Load(SystemMachine.UserCode, a => a.sysenter());
        m.Load(SystemMachine.KernelCode, a => a.sysexit());
        m.EnterUser();
        m.State.Gpr[2] = SystemMachine.UserCode + 0x40; // EDX: where SYSEXIT returns
        m.State.Gpr[1] = SystemMachine.UserStack - 0x10; // ECX: its stack

        Assert.Equal(StopReason.BudgetExhausted, m.Run(1));
        Assert.Equal(SystemMachine.KernelCs, m.State.Segments[SegmentIndex.Cs].Selector);
        Assert.Equal(SystemMachine.KernelDs, m.State.Segments[SegmentIndex.Ss].Selector);
        Assert.Equal(SystemMachine.KernelCode, m.State.Rip);
        Assert.Equal(SystemMachine.KernelStack, m.State.Gpr[4]);
        Assert.Equal(0UL, m.State.Rflags & SystemFlags.Interrupt);

        Assert.Equal(StopReason.BudgetExhausted, m.Run(1));
        Assert.Equal(SystemMachine.UserCs32, m.State.Segments[SegmentIndex.Cs].Selector);
        Assert.Equal(SystemMachine.UserDs, m.State.Segments[SegmentIndex.Ss].Selector);
        Assert.Equal(SystemMachine.UserCode + 0x40, m.State.Rip);
        Assert.Equal(SystemMachine.UserStack - 0x10, m.State.Gpr[4]);
        Assert.Equal(3, m.State.Cpl);
    }
}
