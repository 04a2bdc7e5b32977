using System.Runtime.Intrinsics;
using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>
/// The faults of SSE instructions, which the host comparison cannot show (they would kill the test process):
/// #UD without CR4.OSFXSR, #NM with CR0.TS, #GP(0) on a misaligned m128 of an aligned form, and on an
/// unmasked exception #XM (CR4.OSXMMEXCPT set) or #UD (clear), with MXCSR's flag set and the destination
/// unchanged (Intel SDM Vol. 3, 13.1.3-13.1.4; Vol. 1, 11.5.3).
/// </summary>
public class SseExceptionTests
{
    private const ulong Data = 0x40000;
    private const ulong OneAndAHalf = 0x3FF8_0000_0000_0000;

    [Fact]
    public void SseWithoutOsfxsrIsInvalidOpcode()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a => a.addsd(xmm0, xmm1));
        m.RunToHandler(ExceptionVector.InvalidOpcode);
    }

    [Fact]
    public void SseWithCr0TsIsDeviceNotAvailable()
    {
        using var m = Enabled();
        m.State.Cr0 |= ControlRegisters.Cr0Ts;
        m.Load(SystemMachine.KernelCode, a => a.pxor(xmm0, xmm1));
        m.RunToHandler(ExceptionVector.DeviceNotAvailable);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MisalignedM128IsGeneralProtectionOnlyForAlignedForms(bool aligned)
    {
        using var m = Enabled();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(esi, (uint)Data + 8);
            if (aligned)
            {
                a.movaps(xmm0, __xmmword_ptr[rsi]);
            }
            else
            {
                a.movups(xmm0, __xmmword_ptr[rsi]);
            }

            a.hlt();
        });
        m.Write64(Data + 8, 0x1234);

        if (aligned)
        {
            m.RunToHandler(ExceptionVector.GeneralProtection);
        }
        else
        {
            Assert.Equal(StopReason.Halted, m.Run());
            Assert.Equal(0x1234UL, m.State.Xmm[0].GetElement(0));
        }
    }

    /// <summary>
    /// The alignment guard looks at memory operands only: a register form with a segment prefix whose base is
    /// misaligned does not fault (Iced gives register forms a memory size too). MASKMOVDQU and PCMPISTRI take
    /// unaligned memory (SDM 12.10.3); MOVAPS stores and MOVNTDQA loads need 16-byte alignment.
    /// </summary>
    [Theory]
    [InlineData("fs addps reg", false)]
    [InlineData("movaps store", true)]
    [InlineData("movntdqa", true)]
    [InlineData("maskmovdqu", false)]
    [InlineData("pcmpistri", false)]
    public void AlignmentIsCheckedOnlyWhereTheFormRequiresIt(string form, bool faults)
    {
        using var m = Enabled();
        m.State.Segments[SegmentIndex.Fs].Base = 8;
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(esi, (uint)Data + 8);
            a.mov(edi, (uint)Data + 8);
            a.pcmpeqb(xmm1, xmm1);
            switch (form)
            {
                case "fs addps reg": a.db(0x64, 0x0F, 0x58, 0xC1); break;
                case "movaps store": a.movaps(__xmmword_ptr[rsi], xmm0); break;
                case "movntdqa": a.movntdqa(xmm0, __xmmword_ptr[rsi]); break;
                case "maskmovdqu": a.maskmovdqu(xmm1, xmm1); break;
                default: a.pcmpistri(xmm0, __xmmword_ptr[rsi], 0); break;
            }

            a.hlt();
        });

        if (faults)
        {
            m.RunToHandler(ExceptionVector.GeneralProtection);
        }
        else
        {
            Assert.Equal(StopReason.Halted, m.Run());
        }

        if (form == "maskmovdqu")
        {
            Assert.Equal(ulong.MaxValue, m.Read64(Data + 8));
        }
    }

    [Theory]
    [InlineData(true, ExceptionVector.SimdFloatingPoint)]
    [InlineData(false, ExceptionVector.InvalidOpcode)]
    public void UnmaskedPrecisionExceptionFaultsAndLeavesTheDestination(bool osxmmexcpt, int vector)
    {
        using var m = Enabled();
        if (!osxmmexcpt)
        {
            m.State.Cr4 &= ~ControlRegisters.Cr4Osxmmexcpt;
        }

        m.State.Mxcsr = MxcsrBits.Initial & ~(MxcsrBits.Pe << MxcsrBits.MaskShift);
        m.State.Xmm[0] = Vector128.Create(OneAndAHalf, 7UL);
        m.State.Xmm[1] = Vector128.Create(0x3FD5_5555_5555_5555UL, 0UL); // 1/3: the sum is inexact
        m.Load(SystemMachine.KernelCode, a => a.addsd(xmm0, xmm1));

        m.RunToHandler(vector);

        Assert.Equal(Vector128.Create(OneAndAHalf, 7UL), m.State.Xmm[0]);
        Assert.NotEqual(0U, m.State.Mxcsr & MxcsrBits.Pe);
    }

    [Fact]
    public void MaskedExceptionOnlySetsTheFlag()
    {
        using var m = Enabled();
        m.State.Xmm[0] = Vector128.Create(OneAndAHalf, 0UL);
        m.State.Xmm[1] = Vector128.Create(0UL, 0UL);
        m.Load(SystemMachine.KernelCode, a => { a.divsd(xmm0, xmm1); a.hlt(); });

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(0x7FF0_0000_0000_0000UL, m.State.Xmm[0].GetElement(0));
        Assert.Equal(MxcsrBits.Initial | MxcsrBits.Ze, m.State.Mxcsr);
    }

    private static SystemMachine Enabled()
    {
        var m = new SystemMachine();
        m.State.Cr4 |= ControlRegisters.Cr4Osfxsr | ControlRegisters.Cr4Osxmmexcpt;
        return m;
    }
}
