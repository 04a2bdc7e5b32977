using Cpu.Execution;
using Cpu.State;
using Cpu.Tests.Support;
using Iced.Intel;
using Mmu.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Interpreter;

public class ModeAndControlTests
{
    [Fact]
    public void ThirtyTwoBitCodeUsesEspAndFourBytePushes()
    {
        using var m = new TestMachine(32);
        m.Execute(a =>
        {
            var fn = a.CreateLabel();
            var end = a.CreateLabel();
            a.mov(eax, 0xFFFFFFFF);
            a.inc(eax);
            a.push(0x12345678);
            a.call(fn);
            a.pop(ebx);
            a.jmp(end);
            a.Label(ref fn);
            a.mov(ecx, __dword_ptr[esp + 4]);
            a.ret();
            a.Label(ref end);
            a.pushad();
            a.popad();
        });
        Assert.Equal(0UL, m[0]);
        Assert.Equal(0x12345678UL, m[1]);
        Assert.Equal(0x12345678UL, m[3]);
        Assert.Equal(TestMachine.StackTop, m[4]);
    }

    [Fact]
    public void SixteenBitOperandPrefixMergesIntoTheLowWord()
    {
        using var m = new TestMachine();
        m[0] = 0xAAAA_BBBB_CCCC_FFFF;
        m.Execute(a => { a.add(ax, 1); a.pushf(); a.pop(bx); });
        Assert.Equal(0xAAAA_BBBB_CCCC_0000UL, m[0]);
        Assert.Equal(TestMachine.StackTop, m[4]);
        Assert.True((m[3] & Rflag.CF) != 0);
    }

    /// <summary>
    /// The emulator is an Intel CPU: in 64-bit mode a 66h prefix does not shrink a near JMP, Jcc, CALL or RET
    /// to 16 bits (SDM Vol. 2A, JMP/CALL "operand size forced to 64 bits"; AMD would truncate RIP to 16 bits,
    /// so the AMD host cannot be the reference). The code sits above 64 KiB, where a truncated RIP would land elsewhere.
    /// </summary>
    [Fact]
    public void OperandSizePrefixOnNearBranchesIsIgnoredIn64BitMode()
    {
        using var m = new TestMachine();
        m[0] = 7;
        m.Execute(a => a.db(
        [
            0x31, 0xC0,                               // 00: xor eax, eax (ZF = 1)
            0x66, 0xE9, 0x05, 0x00, 0x00, 0x00,       // 02: o16 jmp rel32 -> 0D
            0xB8, 0x01, 0x00, 0x00, 0x00,             // 08: mov eax, 1 (skipped)
            0x66, 0x0F, 0x84, 0x05, 0x00, 0x00, 0x00, // 0D: o16 je rel32 -> 19
            0xB9, 0x01, 0x00, 0x00, 0x00,             // 14: mov ecx, 1 (skipped)
            0x66, 0xE8, 0x07, 0x00, 0x00, 0x00,       // 19: o16 call rel32 -> 26
            0xBA, 0x02, 0x00, 0x00, 0x00,             // 1F: mov edx, 2
            0xEB, 0x03,                               // 24: jmp short -> 29
            0x66, 0xC3,                               // 26: o16 ret (pops 8 bytes)
            0xCC,                                     // 28: not reached
            0x66, 0xEB, 0x01,                         // 29: o16 jmp short -> 2D
            0xCC,                                     // 2C: not reached; 2D: the appended HLT
        ]));
        Assert.Equal(0UL, m[0]);
        Assert.Equal(0UL, m[1]);
        Assert.Equal(2UL, m[2]);
        Assert.Equal(TestMachine.StackTop, m[4]);
        Assert.Equal(TestMachine.CodeBase + 0x2E, m.State.Rip);
    }

    [Fact]
    public void UnimplementedInstructionRaisesInvalidOpcodeAndIsCounted()
    {
        using var m = new TestMachine();
        m.Load(a => { a.mov(eax, 1); a.ud2(); });
        m.Run();
        Assert.Equal(1, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.InvalidOpcode]);
        Assert.Equal(1L, m.Cpu.Counters.UndefinedCount(Mnemonic.Ud2));
        Assert.Equal(Mnemonic.Ud2, m.Cpu.Counters.TopUndefined(5)[0].Key);
        Assert.Equal(1UL, m[0]);
    }

    [Fact]
    public void HltAtUserPrivilegeIsGeneralProtection()
    {
        using var m = new TestMachine();
        m.State.Segments[SegmentIndex.Cs].Selector = 0x1B;
        m.Load(a => { });
        m.Run();
        Assert.Equal(1, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.GeneralProtection]);
    }

    [Fact]
    public void CliAtUserPrivilegeWithIoplZeroIsGeneralProtection()
    {
        using var m = new TestMachine();
        m.State.Segments[SegmentIndex.Cs].Selector = 0x1B;
        m.Load(a => a.cli());
        m.Run();
        Assert.Equal(1, m.Cpu.Counters.ExceptionsByVector[ExceptionVector.GeneralProtection]);
    }

    [Fact]
    public void PopfAtUserPrivilegeCannotChangeIfOrIopl()
    {
        using var m = new TestMachine();
        m.State.Segments[SegmentIndex.Cs].Selector = 0x1B;
        m.State.Rflags = Rflag.IF;
        m.Load(a => { a.push(0x3000 | 0x1); a.popfq(); a.pushfq(); a.pop(rax); a.ud2(); });
        m.Run();
        Assert.Equal(Rflag.IF | Rflag.CF | Rflag.Reserved1, m[0]);
    }

    [Fact]
    public void InterruptIsTakenWhenIfIsSetAndNotInTheStiShadow()
    {
        using var m = new TestMachine();
        var pic = new FakeController();
        m.Cpu.InterruptController = pic;
        m.Load(a => { a.sti(); a.mov(eax, 1); a.mov(ebx, 2); });
        pic.Pending = 0x20;

        // The STI shadow lets MOV EAX retire before the interrupt is delivered.
        m.Cpu.Run(100);
        Assert.Equal(1, m.Cpu.Counters.InterruptsByVector[0x20]);
        Assert.Equal(1UL, m[0]);
        Assert.Equal(0UL, m[3]);
    }

    [Fact]
    public void HaltedCpuWakesForAnInterrupt()
    {
        using var m = new TestMachine();
        var pic = new FakeController();
        m.Cpu.InterruptController = pic;
        m.State.Rflags = Rflag.IF;
        m.Load(a => { });
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100));
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100));
        pic.Pending = 0x21;
        m.Cpu.Run(100);
        Assert.Equal(1, m.Cpu.Counters.InterruptsByVector[0x21]);
        Assert.False(m.Cpu.Halted);
    }

    [Fact]
    public void RequestStopEndsRun()
    {
        using var m = new TestMachine();
        m.Load(a => { var l = a.CreateLabel(); a.Label(ref l); a.jmp(l); });
        m.Cpu.RequestStop();
        Assert.Equal(StopReason.StopRequested, m.Cpu.Run(1_000_000));
        Assert.Equal(StopReason.BudgetExhausted, m.Cpu.Run(1000));
        Assert.Equal(1000, m.Cpu.InstructionsRetired);
    }

    [Fact]
    public void InvalidatedBlocksAreDecodedAgain()
    {
        using var m = new TestMachine();
        m.Load(a => a.mov(eax, 1));
        m.Run();
        Assert.Equal(1UL, m[0]);
        long decoded = m.Cpu.Counters.BlocksDecoded;

        // Rewrite the immediate, as a guest store to the code page would, and re-run.
        m.WriteBytes(TestMachine.CodeBase + 1, [2]);
        m.Cpu.Blocks.InvalidatePage(TestMachine.CodeBase >> 12);
        m.State.Rip = TestMachine.CodeBase;
        m.Cpu.Halted = false;
        m.Run();
        Assert.Equal(2UL, m[0]);
        Assert.Equal(decoded + 1, m.Cpu.Counters.BlocksDecoded);
    }

    [Fact]
    public void OutAndInReachThePortSpace()
    {
        using var m = new TestMachine();
        var device = new EchoPort();
        m.Ports.Register(0x80, 1, device);
        m.Execute(a => { a.mov(al, 0x5A); a.@out(0x80, al); a.xor(eax, eax); a.mov(dx, 0x80); a.@in(al, dx); });
        Assert.Equal(0x5AUL, m[0]);
    }

    private sealed class FakeController : IInterruptController
    {
        public int? Pending;

        public bool HasPendingInterrupt => Pending.HasValue;

        public ulong TaskPriority { get; set; }

        public int Acknowledge()
        {
            int v = Pending!.Value;
            Pending = null;
            return v;
        }
    }

    private sealed class EchoPort : Mmu.Io.IPortDevice
    {
        private uint last;

        public uint In(ushort port, int size) => last;

        public void Out(ushort port, int size, uint value) => last = value;
    }
}
