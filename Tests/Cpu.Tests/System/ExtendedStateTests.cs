using System.Runtime.Intrinsics;
using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>
/// The x87/SSE state and its control bits: CR4.OSFXSR/OSXMMEXCPT/OSXSAVE, XCR0 through XGETBV/XSETBV,
/// FXSAVE/FXRSTOR in both 64-bit formats, XSAVE/XSAVEC/XRSTOR headers, LDMXCSR/STMXCSR, and the #UD,
/// #NM and #GP conditions of each (Intel SDM Vol. 1 chapter 13, Vol. 2 FXSAVE/XSAVE/XRSTOR).
/// </summary>
public class ExtendedStateTests
{
    private const ulong Area = 0x40000;

    private static readonly Float80 One = new(1UL << 63, 0x3FFF);
    private static readonly Float80 MinusTwo = new(1UL << 63, 0xC000);

    [Fact]
    public void FxsaveStoresTheStackInStOrderWithAbridgedTagsMxcsrAndXmm()
    {
        using var m = new SystemMachine();
        X87State x = m.State.X87;
        x.Initialize();
        x.Top = 6;
        x.Set(6, One);
        x.Set(7, MinusTwo);
        x.Control = 0x027F;
        x.Opcode = 0x1DD;
        x.InstructionPointer = 0x1_2345_6789;
        x.DataPointer = 0xABCD_EF01_2345;
        m.State.Mxcsr = 0x1F80 | MxcsrBits.Pe;
        m.State.Xmm[0] = Vector128.Create(0x1111_2222_3333_4444UL, 0x5555_6666_7777_8888UL);
        m.State.Xmm[15] = Vector128.Create(0xFFUL, 0xEEUL);
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(edi, (uint)Area);
            a.fxsave64(__[rdi]);
            a.fxsave(__[rdi + 512]);
            a.hlt();
        });

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(0x027FUL, m.Read64(Area) & 0xFFFF);
        Assert.Equal((ulong)x.Status, (m.Read64(Area) >> 16) & 0xFFFF);
        Assert.Equal(0xC0UL, (m.Read64(Area) >> 32) & 0xFF); // R6 and R7 in use
        Assert.Equal(0x1DDUL, m.Read64(Area) >> 48);
        Assert.Equal(0x1_2345_6789UL, m.Read64(Area + 8));
        Assert.Equal(0xABCD_EF01_2345UL, m.Read64(Area + 16));
        Assert.Equal(0x1FA0UL, m.Read32(Area + 24));
        Assert.Equal(MxcsrBits.Writable, m.Read32(Area + 28));
        Assert.Equal(One.Significand, m.Read64(Area + 32)); // ST(0) = R6
        Assert.Equal(One.SignExponent, (ushort)m.Read64(Area + 40));
        Assert.Equal(MinusTwo.SignExponent, (ushort)m.Read64(Area + 56)); // ST(1) = R7
        Assert.Equal(0x1111_2222_3333_4444UL, m.Read64(Area + 160));
        Assert.Equal(0x5555_6666_7777_8888UL, m.Read64(Area + 168));
        Assert.Equal(0xFFUL, m.Read64(Area + 160 + (15 * 16)));

        // Without REX.W the pointers are 32-bit offsets followed by selectors.
        Assert.Equal(0x2345_6789UL, m.Read64(Area + 512 + 8));
        Assert.Equal(0xEF01_2345UL, m.Read64(Area + 512 + 16));
    }

    [Fact]
    public void FxrstorRestoresWhatFxsaveStored()
    {
        using var m = new SystemMachine();
        X87State x = m.State.X87;
        x.Initialize();
        x.Top = 7;
        x.Set(7, MinusTwo);
        x.Set(0, Float80.PositiveZero);
        x.Status = (ushort)(x.Status | 0x21);
        m.State.Mxcsr = 0x9FC0;
        m.State.Xmm[3] = Vector128.Create(3UL, 4UL);
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(edi, (uint)Area);
            a.fxsave64(__[rdi]);
            a.fxrstor64(__[rdi]);
            a.hlt();
        });
        m.Run();
        (ushort status, ushort tag, ushort control) = (x.Status, x.Tag, x.Control);

        x.Initialize();
        m.State.Mxcsr = MxcsrBits.Initial;
        m.State.Xmm[3] = default;
        m.State.Rip = SystemMachine.KernelCode + (ulong)SystemMachine.Length(a => { a.mov(edi, (uint)Area); a.fxsave64(__[rdi]); });
        m.Cpu.Halted = false;
        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(status, x.Status);
        Assert.Equal(tag, x.Tag);
        Assert.Equal(control, x.Control);
        Assert.Equal(0x9FC0U, m.State.Mxcsr);
        Assert.Equal(Vector128.Create(3UL, 4UL), m.State.Xmm[3]);
        Assert.Equal(MinusTwo, x.Registers[7]);
        Assert.Equal(X87State.TagZero, x.TagOf(0));
        Assert.Equal(X87State.TagEmpty, x.TagOf(1));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    public void MisalignedFxsaveIsGeneralProtection(int offset)
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a => { a.mov(edi, (uint)Area + (uint)offset); a.fxsave64(__[rdi]); a.hlt(); });
        m.RunToHandler(ExceptionVector.GeneralProtection);
    }

    [Fact]
    public void FxrstorOfAReservedMxcsrBitIsGeneralProtectionAndChangesNothing()
    {
        using var m = new SystemMachine();
        m.Write32(Area + 24, 1 << 16);
        m.Write16(Area, 0x0040);
        m.State.X87.Initialize();
        m.Load(SystemMachine.KernelCode, a => { a.mov(edi, (uint)Area); a.fxrstor64(__[rdi]); a.hlt(); });

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(X87State.InitialControl, m.State.X87.Control);
        Assert.Equal(MxcsrBits.Initial, m.State.Mxcsr);
    }

    [Theory]
    [InlineData(ControlRegisters.Cr0Ts, ExceptionVector.DeviceNotAvailable)]
    [InlineData(ControlRegisters.Cr0Em, ExceptionVector.DeviceNotAvailable)]
    public void FxsaveWithCr0TsOrEmIsDeviceNotAvailable(ulong cr0Bit, int vector)
    {
        using var m = new SystemMachine();
        m.State.Cr0 |= cr0Bit;
        m.Load(SystemMachine.KernelCode, a => { a.mov(edi, (uint)Area); a.fxsave64(__[rdi]); a.hlt(); });
        m.RunToHandler(vector);
    }

    [Fact]
    public void LdmxcsrNeedsOsfxsrAndChecksReservedBits()
    {
        using var m = new SystemMachine();
        m.Write32(Area, 0x1F80 | (uint)MxcsrBits.Ftz);
        m.Load(SystemMachine.KernelCode, a => { a.mov(edi, (uint)Area); a.ldmxcsr(__dword_ptr[rdi]); a.hlt(); });
        m.RunToHandler(ExceptionVector.InvalidOpcode);

        using var enabled = new SystemMachine();
        enabled.State.Cr4 |= ControlRegisters.Cr4Osfxsr;
        enabled.Write32(Area, 0x1F80 | (uint)MxcsrBits.Ftz);
        enabled.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(edi, (uint)Area);
            a.ldmxcsr(__dword_ptr[rdi]);
            a.stmxcsr(__dword_ptr[rdi + 4]);
            a.ldmxcsr(__dword_ptr[rdi + 8]);
            a.hlt();
        });
        enabled.Write32(Area + 8, 0x1_0000);
        enabled.RunToHandler(ExceptionVector.GeneralProtection);
        Assert.Equal(0x1F80 | MxcsrBits.Ftz, enabled.State.Mxcsr);
        Assert.Equal(0x1F80 | MxcsrBits.Ftz, enabled.Read32(Area + 4));

        using var switched = new SystemMachine();
        switched.State.Cr4 |= ControlRegisters.Cr4Osfxsr;
        switched.State.Cr0 |= ControlRegisters.Cr0Ts;
        switched.Load(SystemMachine.KernelCode, a => { a.mov(edi, (uint)Area); a.stmxcsr(__dword_ptr[rdi]); a.hlt(); });
        switched.RunToHandler(ExceptionVector.DeviceNotAvailable);
    }

    [Theory]
    [InlineData(ControlRegisters.Cr4Osfxsr, CpuFeatures.Fxsr)]
    [InlineData(ControlRegisters.Cr4Osxmmexcpt, CpuFeatures.SseState)]
    [InlineData(ControlRegisters.Cr4Osxsave, CpuFeatures.Xsave)]
    public void Cr4BitIsAcceptedOnlyWithItsFeature(ulong bit, CpuFeatures feature)
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a => { a.mov(rax, cr4); a.or(rax, (int)bit); a.mov(cr4, rax); a.hlt(); });
        Assert.Equal(StopReason.Halted, m.Run());
        Assert.NotEqual(0UL, m.State.Cr4 & bit);

        using var without = new SystemMachine();
        without.Cpu.SystemRegisters.Features &= ~feature;
        without.Load(SystemMachine.KernelCode, a => { a.mov(rax, cr4); a.or(rax, (int)bit); a.mov(cr4, rax); a.hlt(); });
        without.RunToHandler(ExceptionVector.GeneralProtection);
    }

    [Theory]
    [InlineData(0u, 2UL)] // x87 must stay enabled
    [InlineData(0u, 7UL)] // AVX is not supported
    [InlineData(1u, 1UL)] // only XCR0 exists
    public void XsetbvRejectsInvalidValues(uint index, ulong value)
    {
        using var m = new SystemMachine();
        m.State.Cr4 |= ControlRegisters.Cr4Osxsave;
        m.Load(SystemMachine.KernelCode, a => a.xsetbv());
        m.State.Gpr[1] = index;
        m.State.Gpr[0] = value;
        m.RunToHandler(ExceptionVector.GeneralProtection);
        Assert.Equal(ExtendedState.X87Component, m.State.Xcr0);
    }

    [Fact]
    public void XgetbvAndXsetbvNeedOsxsave()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a => a.xgetbv());
        m.State.Gpr[1] = 0;
        m.RunToHandler(ExceptionVector.InvalidOpcode);
    }

    [Fact]
    public void XsetbvThenXgetbvAndCpuidReflectTheEnabledComponents()
    {
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(rax, cr4);
            a.or(eax, (int)ControlRegisters.Cr4Osxsave);
            a.mov(cr4, rax);
            a.xor(ecx, ecx);
            a.mov(eax, 3);
            a.xor(edx, edx);
            a.xsetbv();
            a.xor(eax, eax);
            a.xgetbv();
            a.mov(r8, rax);
            a.mov(eax, 1);
            a.cpuid();
            a.mov(r9, rcx);
            a.mov(eax, 0xD);
            a.xor(ecx, ecx);
            a.cpuid();
            a.hlt();
        });

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(3UL, m.State.Gpr[8]);
        Assert.NotEqual(0UL, m.State.Gpr[9] & (1UL << 27)); // OSXSAVE
        Assert.Equal(3UL | ExtendedState.PkruComponent, m.State.Gpr[0]); // x87, SSE and, with protection keys, PKRU
        Assert.Equal((ulong)ExtendedState.XsaveSize, m.State.Gpr[3]); // XCR0 = 3: the legacy region and header
        Assert.Equal((ulong)(ExtendedState.PkruOffset + ExtendedState.PkruSize), m.State.Gpr[1]); // every component: PKRU last
    }

    [Fact]
    public void XsaveWritesTheRequestedComponentsAndTheirXstateBits()
    {
        using var m = EnabledXsave();
        m.State.Xmm[1] = Vector128.Create(7UL, 8UL);
        m.Write64(Area + 160 + 16, 0xDEAD);
        m.Write64(Area + 512, 1UL << 40); // a foreign XSTATE_BV bit XSAVE leaves alone
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(edi, (uint)Area);
            a.mov(eax, 1); // x87 only: XMM1 is not written
            a.xor(edx, edx);
            a.xsave64(__[rdi]);
            a.mov(eax, 3);
            a.xsavec64(__[rdi + 1024]);
            a.hlt();
        });

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(0xDEADUL, m.Read64(Area + 160 + 16));
        Assert.Equal((1UL << 40) | 1, m.Read64(Area + 512));
        Assert.Equal(3UL, m.Read64(Area + 1024 + 512));
        Assert.Equal(ExtendedState.CompactedFormat | 3, m.Read64(Area + 1024 + 520));
        Assert.Equal(7UL, m.Read64(Area + 1024 + 160 + 16));
    }

    [Fact]
    public void XrstorInitialisesComponentsWhoseXstateBitIsClear()
    {
        using var m = EnabledXsave();
        m.State.Xmm[2] = Vector128.Create(1UL, 2UL);
        m.State.X87.Control = 0x0040;
        m.Write32(Area + 24, 0x1F80 | MxcsrBits.Daz);
        m.Write64(Area + 512, 0); // XSTATE_BV: both components in their initial configuration
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(edi, (uint)Area);
            a.mov(eax, 3);
            a.xor(edx, edx);
            a.xrstor64(__[rdi]);
            a.hlt();
        });

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(Vector128<ulong>.Zero, m.State.Xmm[2]);
        Assert.Equal(X87State.InitialControl, m.State.X87.Control);
        Assert.Equal(0xFFFF, m.State.X87.Tag);

        // The standard form loads MXCSR whenever RFBM[1] is set (SDM 13.8.1).
        Assert.Equal(0x1F80 | MxcsrBits.Daz, m.State.Mxcsr);
    }

    [Theory]
    [InlineData(512, 4UL)] // XSTATE_BV names a component XCR0 does not enable
    [InlineData(520, 1UL)] // XCOMP_BV without bit 63 must be zero in the standard form
    [InlineData(540, 1UL)] // reserved header bytes
    public void XrstorWithAnInvalidHeaderIsGeneralProtection(int offset, ulong value)
    {
        using var m = EnabledXsave();
        m.Write64(Area + (ulong)offset, value);
        m.Load(SystemMachine.KernelCode, a => { a.mov(edi, (uint)Area); a.mov(eax, 3); a.xor(edx, edx); a.xrstor64(__[rdi]); a.hlt(); });
        m.RunToHandler(ExceptionVector.GeneralProtection);
    }

    private static SystemMachine EnabledXsave()
    {
        var m = new SystemMachine();
        m.State.Cr4 |= ControlRegisters.Cr4Osxsave | ControlRegisters.Cr4Osfxsr;
        m.State.Xcr0 = 3;
        return m;
    }
}
