using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>
/// The faults of instructions on MMX registers, which the host comparison cannot show (Intel SDM Vol. 2, the
/// "Exceptions" of each; Vol. 1, 9.6): #UD with CR0.EM, #NM with CR0.TS, #MF before an MMX instruction when an
/// unmasked x87 exception is pending (CR0.NE set); the SSE-class forms between MMX and XMM registers also need
/// CR4.OSFXSR, the integer SSE forms on MMX registers do not. A faulting MMX instruction leaves the x87 state
/// (TOP, tags, registers) as it was.
/// </summary>
public class MmxExceptionTests
{
    private const ulong Data = 0x40000;

    [Theory]
    [InlineData(ControlRegisters.Cr0Em, ExceptionVector.InvalidOpcode)]
    [InlineData(ControlRegisters.Cr0Ts, ExceptionVector.DeviceNotAvailable)]
    [InlineData(ControlRegisters.Cr0Em | ControlRegisters.Cr0Ts, ExceptionVector.InvalidOpcode)]
    public void MmxInstructionWithEmOrTsFaults(ulong cr0, int vector)
    {
        foreach (Action<Assembler> instruction in new Action<Assembler>[] { a => a.paddb(mm1, mm2), a => a.emms(), a => a.pshufb(mm0, mm3), a => a.pavgb(mm4, mm5) })
        {
            using var m = new SystemMachine();
            m.State.Cr0 |= cr0;
            m.Load(SystemMachine.KernelCode, instruction);
            m.RunToHandler(vector);
        }
    }

    [Fact]
    public void PendingUnmaskedX87ExceptionIsRaisedBeforeTheMmxInstructionChangesAnything()
    {
        using SystemMachine m = AfterUnmaskedUnderflow(a => a.movq(mm3, rax));
        X87State x = m.State.X87;
        m.RunToHandler(ExceptionVector.X87FloatingPoint);

        // FCHS of the empty stack pushed nothing: had MOVQ run, the tags would no longer be all empty.
        Assert.Equal(X87State.AllEmpty, x.Tag);
        Assert.Equal(0UL, x.Registers[3].Significand);
    }

    [Fact]
    public void CvtPi2PdFromMemoryIgnoresAPendingX87ExceptionButFromAnMmxRegisterDoesNot()
    {
        using (SystemMachine m = AfterUnmaskedUnderflow(a => a.cvtpi2pd(xmm1, __qword_ptr[rsi]), osfxsr: true))
        {
            Assert.Equal(StopReason.Halted, m.Run());
        }

        using (SystemMachine m = AfterUnmaskedUnderflow(a => a.cvtpi2pd(xmm1, mm2), osfxsr: true))
        {
            m.RunToHandler(ExceptionVector.X87FloatingPoint);
        }
    }

    [Fact]
    public void ConversionsBetweenMmxAndXmmNeedOsfxsrButIntegerSseFormsOnMmxDoNot()
    {
        using (var m = new SystemMachine())
        {
            m.Load(SystemMachine.KernelCode, a => a.cvtpi2ps(xmm0, mm1));
            m.RunToHandler(ExceptionVector.InvalidOpcode);
        }

        using (var m = new SystemMachine())
        {
            m.Load(SystemMachine.KernelCode, a => a.movq2dq(xmm0, mm1));
            m.RunToHandler(ExceptionVector.InvalidOpcode);
        }

        using (var m = new SystemMachine())
        {
            m.Load(SystemMachine.KernelCode, a =>
            {
                a.pavgb(mm0, mm1);
                a.pshufw(mm2, mm0, 0x1B);
                a.hlt();
            });
            Assert.Equal(StopReason.Halted, m.Run());
        }
    }

    [Fact]
    public void FaultingMmxLoadLeavesTheX87StateAsItWas()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.fninit();
            a.fld1();
            a.mov(rax, 0x8000_0000_0000_0000UL);
            a.movq(mm0, __qword_ptr[rax]);
        });
        m.RunToHandler(ExceptionVector.GeneralProtection);
        X87State x = m.State.X87;
        Assert.Equal(7, x.Top);
        Assert.Equal(X87State.TagEmpty, x.TagOf(0));
        Assert.Equal(X87State.TagValid, x.TagOf(7));
    }

    [Fact]
    public void MmxWriteAliasesThePhysicalRegisterWithAllOnesExponent()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.fninit();
            a.fld1();
            a.fld1();
            a.mov(rax, 0x0123_4567_89AB_CDEFUL);
            a.movq(mm5, rax);
            a.movq(rbx, mm6);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Run());
        X87State x = m.State.X87;
        Assert.Equal(0, x.Top);
        Assert.Equal(new Float80(0x0123_4567_89AB_CDEF, 0xFFFF), x.Registers[5]);
        Assert.Equal(0x8000_0000_0000_0000UL, m.State.Gpr[3]); // MM6 is R6, where the second FLD1 went.
        Assert.Equal(0xFF, x.AbridgedTag());
    }

    [Fact]
    public void EmmsEmptiesEveryRegisterAndSetsTopToZero()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.fninit();
            a.fld1();
            a.movq(mm2, rax);
            a.fld1();
            a.emms();
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Run());
        Assert.Equal(X87State.AllEmpty, m.State.X87.Tag);
        Assert.Equal(0, m.State.X87.Top);
    }

    /// <summary>CR0.NE set, invalid unmasked, FCHS on the empty stack (a pending #MF), then <paramref name="next"/> and HLT.</summary>
    private static SystemMachine AfterUnmaskedUnderflow(Action<Assembler> next, bool osfxsr = false)
    {
        var m = new SystemMachine();
        m.State.Cr0 |= ControlRegisters.Cr0Ne;
        if (osfxsr)
        {
            m.State.Cr4 |= ControlRegisters.Cr4Osfxsr;
        }

        m.Write64(Data, 0x037E);
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(esi, (uint)Data);
            a.fninit();
            a.fldcw(__word_ptr[rsi]);
            a.fchs();
            a.fnstsw(ax);
            next(a);
            a.hlt();
        });
        return m;
    }
}
