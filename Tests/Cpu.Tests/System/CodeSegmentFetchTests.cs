using Cpu.Execution;
using Cpu.State;
using Mmu.Io;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>
/// Instruction fetch reads CS's base plus RIP (SDM Vol. 3A 3.4) in real mode, 16- and 32-bit protected mode and
/// compatibility mode, and raises #GP(0) past CS's limit outside 64-bit mode (SDM Vol. 3A 5.3; QEMU TCG does not
/// check the limit on fetch, so this is a unit test and not a test kernel). A decoy at linear = RIP catches a
/// fetch that ignores the base. The guest test kernel segbase covers the same on emu and QEMU.
/// </summary>
public class CodeSegmentFetchTests
{
    private const ulong Base = 0x40000;
    private const ulong Offset = 0x100;

    [Theory]
    [InlineData(false, 0xC09B, 32)] // 32-bit protected mode
    [InlineData(false, 0x009B, 16)] // 16-bit protected mode
    [InlineData(true, 0xC09B, 32)] // compatibility mode
    public void ProtectedModeFetchAddsTheCodeSegmentBase(bool longMode, int attributes, int bitness)
    {
        using var m = new SystemMachine(longMode);
        m.EnterKernel();
        m.State.Segments[SegmentIndex.Cs] = new SegmentRegister { Selector = SystemMachine.KernelCs, Base = Base, Limit = 0xFFFF, Attributes = (ushort)attributes };
        LoadMarkAndDecoy(m, bitness);
        m.State.Rip = Offset;

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(0x32UL, m.State.Gpr[0] & 0xFFFF);
        Assert.Equal(Offset + (ulong)MarkLength(bitness), m.State.Rip);
    }

    [Fact]
    public void RealModeFetchAddsTheCodeSegmentBase()
    {
        // mov al, 21h; out 0F4h, al at 0700:0000 must run the bytes at linear 0x7000 (issue 17).
        using var m = new SystemMachine(longMode: false);
        m.EnterKernel();
        m.State.Cr0 &= ~1UL;
        m.Memory.SetPagingControls(m.State.Cr0, m.State.Cr4, m.State.Efer);
        m.State.Segments[SegmentIndex.Cs] = new SegmentRegister { Selector = 0x0700, Base = 0x7000, Limit = 0xFFFF, Attributes = 0x9B };
        m.Load(0x7000, a => { a.mov(al, 0x21); a.@out(0xF4, al); a.hlt(); }, 16);
        m.Load(0, a => { a.mov(al, 0x43); a.hlt(); }, 16);
        byte written = 0;
        m.Ports.Register(0xF4, 1, new CapturingPort(v => written = (byte)v));
        m.State.Rip = 0;

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(0x21, written);
        Assert.Equal(5UL, m.State.Rip);
    }

    [Fact]
    public void RunningPastTheCodeSegmentLimitIsGeneralProtection()
    {
        using var m = new SystemMachine(longMode: false);
        m.EnterKernel();
        m.State.Segments[SegmentIndex.Cs] = new SegmentRegister { Selector = SystemMachine.KernelCs, Base = Base, Limit = 0x1FF, Attributes = 0x409B };
        m.Load(Base + 0x1FC, a => { a.nop(); a.nop(); a.nop(); a.nop(); a.nop(); a.hlt(); });
        m.State.Rip = 0x1FC;

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(0UL, m.StackSlot(0, 4)); // error code
        Assert.Equal(0x200UL, m.StackSlot(1, 4)); // EIP: the first offset past the limit
    }

    [Fact]
    public void AnInstructionThatEndsPastTheLimitIsGeneralProtection()
    {
        using var m = new SystemMachine(longMode: false);
        m.EnterKernel();
        m.State.Segments[SegmentIndex.Cs] = new SegmentRegister { Selector = SystemMachine.KernelCs, Base = Base, Limit = 0x1FF, Attributes = 0x409B };
        m.Load(Base + 0x1FD, a => a.mov(eax, 0x12345678)); // 5 bytes: 0x1FD-0x201
        m.State.Rip = 0x1FD;

        m.RunToHandler(ExceptionVector.GeneralProtection);

        Assert.Equal(0x1FDUL, m.StackSlot(1, 4));
        Assert.Equal(0UL, m.State.Gpr[0] & 0xFFFF_FFFF);
    }

    private static void LoadMarkAndDecoy(SystemMachine m, int bitness)
    {
        m.Load(Base + Offset, a => { a.mov(eax, 0x32); a.hlt(); }, bitness);
        m.Load(Offset, a => { a.mov(eax, 0xBAD); a.hlt(); }, bitness);
    }

    private static int MarkLength(int bitness) => SystemMachine.Length(a => { a.mov(eax, 0x32); a.hlt(); }, bitness);

    private sealed class CapturingPort(Action<uint> written) : IPortDevice
    {
        public uint In(ushort port, int size) => 0xFF;

        public void Out(ushort port, int size, uint value) => written(value);
    }
}
