using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using Mmu.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>RDMSR/WRMSR, control registers and the IA-32e activation rules, CPUID, RDTSC, RDPMC.</summary>
public class SystemRegisterTests
{
    [Theory]
    [InlineData(0x1234u, 0UL)] // unknown MSR
    [InlineData(MsrIndex.Lstar, 0x0000_8000_0000_0000UL)] // non-canonical
    [InlineData(MsrIndex.Efer, 1UL << 9)] // reserved EFER bit
    [InlineData(MsrIndex.Pat, 0x0000_0000_0000_0002UL)] // reserved memory type
    [InlineData(MsrIndex.TscAux, 1UL << 32)]
    [InlineData(MsrIndex.ApicBase, 0xFEE0_0000UL | (1 << 10))] // x2APIC is not implemented
    public void WrmsrWithInvalidIndexOrValueIsGeneralProtectionZero(uint index, ulong value)
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a => a.wrmsr());
        m.State.Gpr[1] = index;
        m.State.Gpr[0] = (uint)value;
        m.State.Gpr[2] = value >> 32;

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(0UL, m.StackSlot(0));
        Assert.Equal(SystemMachine.KernelCode, m.StackSlot(1));
    }

    [Fact]
    public void WrmsrThenRdmsrRoundTripsAndSwapgsExchangesTheGsBases()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(ecx, MsrIndex.KernelGsBase);
            a.mov(eax, 0x5678_9000);
            a.mov(edx, 0xFFFF_8000);
            a.wrmsr();
            a.swapgs();
            a.mov(ecx, MsrIndex.GsBase);
            a.rdmsr();
            a.hlt();
        });

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(0x5678_9000UL, m.State.Gpr[0]);
        Assert.Equal(0xFFFF_8000UL, m.State.Gpr[2]);
        Assert.Equal(0xFFFF_8000_5678_9000UL, m.State.Segments[SegmentIndex.Gs].Base);
        Assert.Equal(0UL, m.Cpu.SystemRegisters.Msr.KernelGsBase);
    }

    [Fact]
    public void TheMicrocodeSignatureIsReadByWritingZeroThenCpuid()
    {
        // Linux's early Intel set-up does exactly this (SDM Vol. 3A section 10.11.7.1): no update is loaded.
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(ecx, MsrIndex.BiosSignId);
            a.xor(eax, eax);
            a.xor(edx, edx);
            a.wrmsr();
            a.mov(eax, 1);
            a.cpuid();
            a.mov(ecx, MsrIndex.BiosSignId);
            a.mov(edx, 0x1234);
            a.rdmsr();
            a.hlt();
        });

        Assert.Equal(StopReason.Halted, m.Run());
        Assert.Equal(0UL, m.State.Gpr[2]);
    }

    [Fact]
    public void EnablingPagingWithLmeAndPaeActivatesLongModeAndDisablingLeavesIt()
    {
        using var m = new SystemMachine(longMode: false);
        CpuState s = m.State;
        ControlRegisters.WriteEfer(m.Cpu, ProcessorMode.EferLme);
        Assert.Equal(0UL, s.Efer & ProcessorMode.EferLma);

        var noPae = Assert.Throws<CpuException>(() => ControlRegisters.WriteCr0(m.Cpu, s.Cr0 | ControlRegisters.Cr0Pg));
        Assert.Equal(ExceptionVector.GeneralProtection, noPae.Vector);
        Assert.Equal(0UL, s.Cr0 & ControlRegisters.Cr0Pg);

        ControlRegisters.WriteCr4(m.Cpu, ControlRegisters.Cr4Pae);
        ControlRegisters.WriteCr0(m.Cpu, s.Cr0 | ControlRegisters.Cr0Pg);
        Assert.Equal(ProcessorMode.EferLma, s.Efer & ProcessorMode.EferLma);
        Assert.Equal(s.Efer, m.Memory.Efer);
        Assert.Equal(s.Cr0, m.Memory.Cr0);
        Assert.False(ProcessorMode.Is64Bit(s)); // compatibility mode until a far jump to a 64-bit CS

        Assert.Throws<CpuException>(() => ControlRegisters.WriteEfer(m.Cpu, 0)); // LME cannot change with paging on
        Assert.Throws<CpuException>(() => ControlRegisters.WriteCr4(m.Cpu, 0)); // PAE cannot be cleared in IA-32e mode

        ControlRegisters.WriteCr0(m.Cpu, s.Cr0 & ~ControlRegisters.Cr0Pg);
        Assert.Equal(0UL, s.Efer & ProcessorMode.EferLma);
    }

    [Fact]
    public void PagingCannotBeTurnedOffIn64BitMode()
    {
        using var m = new SystemMachine();
        CpuState s = m.State;
        s.Cr0 |= ControlRegisters.Cr0Pg;
        var e = Assert.Throws<CpuException>(() => ControlRegisters.WriteCr0(m.Cpu, s.Cr0 & ~ControlRegisters.Cr0Pg));
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(ProcessorMode.EferLma, s.Efer & ProcessorMode.EferLma);
    }

    [Theory]
    [InlineData(0, 1UL << 32)] // CR0[63:32]
    [InlineData(0, 1UL << 31)] // PG without PE
    [InlineData(0, (1UL << 29) | 1)] // NW without CD
    [InlineData(4, 1UL << 19)] // reserved
    [InlineData(4, 1UL << 12)] // LA57
    [InlineData(8, 16)] // CR8[63:4]
    public void ReservedControlRegisterBitsAreGeneralProtection(int cr, ulong value)
    {
        using var m = new SystemMachine(longMode: false);
        m.State.Efer = 0;
        var e = Assert.Throws<CpuException>(() =>
        {
            switch (cr)
            {
                case 0: ControlRegisters.WriteCr0(m.Cpu, value); break;
                case 4: ControlRegisters.WriteCr4(m.Cpu, value); break;
                default: ControlRegisters.WriteCr8(m.Cpu, value); break;
            }
        });
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(0u, e.ErrorCode);
    }

    [Fact]
    public void MovToCr3InformsTheMmuAndCr8IsTheTaskPriority()
    {
        using var m = new SystemMachine();
        var apic = new FakeApic();
        m.Cpu.InterruptController = apic;
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(eax, 0x123000);
            a.mov(cr3, rax);
            a.mov(eax, 9);
            a.mov(cr8, rax);
            a.mov(rbx, cr8);
            a.hlt();
        });

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(0x123000UL, m.State.Cr3);
        Assert.Equal(0x123000UL, m.Memory.Cr3);
        Assert.Equal(9UL, apic.TaskPriority);
        Assert.Equal(9UL, m.State.Gpr[3]);
    }

    [Fact]
    public void CpuidReportsAnHonestFeatureSet()
    {
        using var m = new SystemMachine();
        CpuFeatures f = m.Cpu.SystemRegisters.Features;

        (uint _, uint b, uint c, uint d) = CpuIdentification.Query(f, 0, 0);
        Assert.Equal("GenuineIntel", string.Concat(new[] { b, d, c }.Select(r => string.Concat(BitConverter.GetBytes(r).Select(x => (char)x)))));

        (_, _, uint ecx1, uint edx1) = CpuIdentification.Query(f, 1, 0);
        Assert.NotEqual(0u, edx1 & (1u << 11)); // SEP: SYSENTER/SYSEXIT
        Assert.Equal(0u, edx1 & (1u << 12)); // no MTRRs
        Assert.Equal(0u, ecx1 & (1u << 28)); // no AVX
        Assert.NotEqual(0u, edx1 & (1u << 24)); // FXSR
        Assert.NotEqual(0u, ecx1 & (1u << 26)); // XSAVE
        Assert.NotEqual(0u, edx1 & (1u << 5)); // MSR
        Assert.NotEqual(0u, edx1 & (1u << 4)); // TSC

        (_, _, _, uint edx81) = CpuIdentification.Query(f, 0x8000_0001, 0);
        Assert.NotEqual(0u, edx81 & (1u << 29)); // LM
        Assert.NotEqual(0u, edx81 & (1u << 11)); // SYSCALL
    }

    [Fact]
    public void CpuidInstructionFillsTheFourRegisters()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.UserCode, a =>
        {
            a.mov(eax, 0x8000_0008);
            a.cpuid();
            a.nop();
        });
        m.EnterUser();

        m.Run(3);

        Assert.Equal((ulong)(CpuIdentification.PhysicalAddressBits | (CpuIdentification.LinearAddressBits << 8)), m.State.Gpr[0]);
    }

    [Fact]
    public void RdtscReadsTheMachineTimeSourceAndCr4TsdRestrictsItToCpl0()
    {
        using var m = new SystemMachine();
        m.Cpu.SystemRegisters.TimeSource = () => 0x1_0000_0005;
        m.Load(SystemMachine.UserCode, a =>
        {
            a.rdtsc();
            a.mov(r8, rax);
            a.mov(r9, rdx);
            a.rdtscp();
            a.nop();
        });
        m.Cpu.SystemRegisters.Msr.TscAux = 7;
        m.EnterUser();

        m.Run(5);

        Assert.Equal(5UL, m.State.Gpr[8]);
        Assert.Equal(1UL, m.State.Gpr[9]);
        Assert.Equal(7UL, m.State.Gpr[1]);

        m.State.Cr4 |= ControlRegisters.Cr4Tsd;
        m.EnterUser();
        m.RunToHandler(ExceptionVector.GeneralProtection);
    }

    [Fact]
    public void TscAdjustFollowsWritesToTheTscAndMovesTheTscWhenWritten()
    {
        // SDM Vol. 3B, "Time-Stamp Counter Adjustment": each write moves the other register by the same amount.
        using var m = new SystemMachine();
        ulong clock = 1000;
        m.Cpu.SystemRegisters.TimeSource = () => clock;
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(ecx, MsrIndex.Tsc);
            a.mov(eax, 1500); // TSC 1000 -> 1500: TSC_ADJUST becomes 500
            a.xor(edx, edx);
            a.wrmsr();
            a.mov(ecx, MsrIndex.TscAdjust);
            a.rdmsr();
            a.mov(r8, rax);
            a.mov(eax, 200); // TSC_ADJUST 500 -> 200: the TSC moves back 300
            a.wrmsr();
            a.rdtsc();
            a.mov(r9, rax);
            a.mov(eax, 0xFFFF_FFFF); // TSC_ADJUST -1: the TSC is the time source less one
            a.mov(edx, 0xFFFF_FFFF);
            a.wrmsr();
            a.rdtsc();
            a.hlt();
        });

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(500UL, m.State.Gpr[8]);
        Assert.Equal(1200UL, m.State.Gpr[9]);
        Assert.Equal(999UL, m.State.Gpr[0]);
        Assert.Equal(0UL, m.State.Gpr[2]);
        Assert.Equal(ulong.MaxValue, m.Cpu.SystemRegisters.Msr.TscAdjust);
    }

    [Fact]
    public void RdpidReadsTscAuxAtAnyPrivilegeEvenWithCr4Tsd()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.UserCode, a =>
        {
            a.mov(rax, -1L);
            a.rdpid(rax);
            a.nop();
        });
        m.Cpu.SystemRegisters.Msr.TscAux = 0x8765_4321;
        m.State.Cr4 |= ControlRegisters.Cr4Tsd;
        m.EnterUser();

        m.Run(3);

        Assert.Equal(0x8765_4321UL, m.State.Gpr[0]); // zero-extended to 64 bits
    }

    [Fact]
    public void FixedCounterZeroCountsRetiredInstructionsOnlyInEnabledRings()
    {
        using var m = new SystemMachine();
        ModelSpecificRegisters msr = m.Cpu.SystemRegisters.Msr;
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(ecx, MsrIndex.FixedCounterControl);
            a.mov(eax, 2); // count at CPL > 0 only
            a.xor(edx, edx);
            a.wrmsr();
            a.mov(ecx, MsrIndex.PerfGlobalControl);
            a.xor(eax, eax);
            a.mov(edx, 1); // bit 32: fixed counter 0
            a.wrmsr();
            for (int i = 0; i < 10; i++)
            {
                a.nop();
            }

            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Run());
        msr.SyncCounters(m.Cpu);
        Assert.Equal(0UL, msr.FixedCounter0);

        m.State.Cr4 |= ControlRegisters.Cr4Pce;
        m.Load(SystemMachine.UserCode, a =>
        {
            for (int i = 0; i < 20; i++)
            {
                a.nop();
            }

            a.mov(ecx, 0x4000_0000);
            a.rdpmc();
            a.hlt();
        });
        m.EnterUser();
        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(21UL, m.State.Gpr[0]); // 20 NOPs and the MOV before RDPMC
    }

    [Fact]
    public void RdpmcAtCpl3WithoutCr4PceIsGeneralProtection()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.UserCode, a =>
        {
            a.mov(ecx, 0x4000_0000);
            a.rdpmc();
        });
        m.EnterUser();

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(SystemMachine.UserCode + 5, m.StackSlot(1));
    }

    private sealed class FakeApic : IInterruptController
    {
        public bool HasPendingInterrupt => false;

        public ulong TaskPriority { get; set; }

        public int Acknowledge() => throw new InvalidOperationException();
    }
}
