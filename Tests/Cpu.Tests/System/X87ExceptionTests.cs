using Cpu.Execution;
using Cpu.Semantics.X87;
using Cpu.State;
using Cpu.System;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>
/// The faults of x87 instructions, which the host comparison cannot show: #NM with CR0.EM or CR0.TS (FWAIT
/// only with CR0.MP and TS), and #MF at the next waiting instruction after an unmasked exception when
/// CR0.NE is set, while the no-wait forms (FNSTSW, FNCLEX) do not fault (Intel SDM Vol. 1, 8.6-8.7).
/// </summary>
public class X87ExceptionTests
{
    private const ulong Data = 0x40000;

    [Theory]
    [InlineData(ControlRegisters.Cr0Em)]
    [InlineData(ControlRegisters.Cr0Ts)]
    public void X87InstructionWithEmOrTsIsDeviceNotAvailable(ulong cr0)
    {
        using var m = new SystemMachine();
        m.State.Cr0 |= cr0;
        m.Load(SystemMachine.KernelCode, a => a.fninit());
        m.RunToHandler(ExceptionVector.DeviceNotAvailable);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FwaitFaultsOnlyWithMpAndTs(bool mp)
    {
        using var m = new SystemMachine();
        m.State.Cr0 |= ControlRegisters.Cr0Ts | (mp ? ControlRegisters.Cr0Mp : 0);
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.wait();
            a.hlt();
        });
        if (mp)
        {
            m.RunToHandler(ExceptionVector.DeviceNotAvailable);
        }
        else
        {
            Assert.Equal(StopReason.Halted, m.Run());
        }
    }

    [Fact]
    public void UnmaskedStackUnderflowFaultsAtTheNextWaitingInstructionNotAtFnstsw()
    {
        using SystemMachine m = AfterUnmaskedUnderflow(a => a.fnstsw(ax));
        m.RunToHandler(ExceptionVector.X87FloatingPoint);

        // FCHS kept its (empty) destination and set IE, SF, ES and B; FNSTSW ran before the fault.
        Assert.Equal(X87State.TagEmpty, m.State.X87.TagOf(m.State.X87.Top));
        ushort expected = X87Fpu.Busy | X87Fpu.ErrorSummary | X87Fpu.StackFault | 1;
        Assert.Equal(expected, m.State.X87.Status);
        Assert.Equal(expected, (ushort)m.State.Gpr[0]);
    }

    [Fact]
    public void FnclexClearsThePendingException()
    {
        using SystemMachine m = AfterUnmaskedUnderflow(a => a.fnclex());
        Assert.Equal(StopReason.Halted, m.Run());
        Assert.Equal(0, m.State.X87.Status);
    }

    /// <summary>CR0.NE set, invalid unmasked, FCHS on the empty stack, then <paramref name="noWait"/> and FWAIT.</summary>
    private static SystemMachine AfterUnmaskedUnderflow(Action<Assembler> noWait)
    {
        var m = new SystemMachine();
        m.State.Cr0 |= ControlRegisters.Cr0Ne;
        m.Write64(Data, 0x037E);
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(esi, (uint)Data);
            a.fninit();
            a.fldcw(__word_ptr[rsi]);
            a.fchs();
            noWait(a);
            a.wait();
            a.hlt();
        });
        return m;
    }
}
