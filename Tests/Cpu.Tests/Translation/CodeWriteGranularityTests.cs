using Cpu.Execution;
using Cpu.Tests.Support;
using Cpu.Tests.System;
using Cpu.Translation;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Translation;

/// <summary>
/// Code-write invalidation works on the bytes written: a store onto an instruction of the block that is
/// running is seen at once, in every mode; a store to data beside code on the same page discards nothing.
/// </summary>
public class CodeWriteGranularityTests
{
    public static TheoryData<JitMode> Modes => [JitMode.Off, JitMode.On, JitMode.Always];

    [Theory]
    [MemberData(nameof(Modes))]
    public void StoreOntoAnInstructionOfTheRunningLoopIsSeenOnEveryPass(JitMode mode)
    {
        const int passes = 600;
        using var m = Machine(mode);

        // The loop patches the imm8 of its own ADD (two instructions on) with the counter's low byte.
        Action<Iced.Intel.Assembler> Prefix(int disp) => a =>
        {
            a.mov(ecx, passes);
            a.xor(ebx, ebx);
            a.mov(rdi, TestMachine.CodeBase);
            a.mov(__byte_ptr[rdi + disp], cl);
        };
        int storeEnd = SystemMachine.Length(Prefix(0x10));
        int loopStart = storeEnd - 3; // MOV [RDI + disp8], CL is 3 bytes
        m.Load(a =>
        {
            Prefix(storeEnd + 2)(a); // ADD EBX, imm8 is 83 C3 ib
            a.add(ebx, 0x7F);
            a.dec(ecx);
            a.jnz((ulong)loopStart + TestMachine.CodeBase);
        });

        Assert.Equal(StopReason.Halted, m.Run(10_000_000));

        uint expected = 0;
        for (int c = passes; c >= 1; c--)
        {
            expected += (uint)(sbyte)(byte)c;
        }

        Assert.Equal(expected, (uint)m[3]);
        Assert.True(m.Cpu.Counters.BlocksInvalidated >= passes, $"{m.Cpu.Counters.BlocksInvalidated} blocks invalidated");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void StoresToDataBesideCodeDiscardNothing(JitMode mode)
    {
        const int passes = 2000;
        const ulong data = TestMachine.CodeBase + 0x800; // the code's page, past its last byte
        using var m = Machine(mode);
        m.Load(a =>
        {
            var loop = a.CreateLabel();
            a.mov(ecx, passes);
            a.xor(ebx, ebx);
            a.mov(rdi, data);
            a.Label(ref loop);
            a.mov(__dword_ptr[rdi], ecx);
            a.add(ebx, __dword_ptr[rdi]);
            a.inc(__dword_ptr[rdi + 4]);
            a.mov(__word_ptr[rdi + 0x7FE], cx); // and the page's last two bytes
            a.dec(ecx);
            a.jnz(loop);
        });

        Assert.Equal(StopReason.Halted, m.Run(10_000_000));

        Assert.Equal((ulong)passes * (passes + 1) / 2, m[3]);
        Assert.Equal((ulong)passes, m.Read64(data + 4) & 0xFFFF_FFFF);
        Assert.True(m.Memory.IsCodePage(TestMachine.CodeBase >> 12));
        Assert.True(m.Memory.Counters.CodePageWrites >= 3 * passes, $"{m.Memory.Counters.CodePageWrites} stores reached a page holding code");
        Assert.Equal(0, m.Memory.Counters.CodeWrites);
        Assert.Equal(0, m.Cpu.Counters.BlocksInvalidated);
        Assert.Equal(0, m.Cpu.Jit.Counters.Invalidations);
        if (mode != JitMode.Off)
        {
            // The loop stayed compiled: all but its first runs (the tier-up threshold under On) ran compiled code.
            Assert.True(m.Cpu.Jit.Counters.InstructionsInCompiledCode >= 6L * (passes - TierUpPolicy.Threshold), $"{m.Cpu.Jit.Counters.InstructionsInCompiledCode} instructions compiled");
        }
    }

    [Fact]
    public void StoreOntoOneBlockKeepsTheOtherBlocksOfItsPage()
    {
        using var m = Machine(JitMode.Always);
        const ulong other = TestMachine.CodeBase + 0x400;
        m.Load(a => { a.mov(eax, 1); a.ret(); }, other);
        m.Load(a =>
        {
            a.mov(rdi, other);
            a.call(other);                  // decodes and compiles the callee's block
            a.mov(__byte_ptr[rdi + 1], 5);  // patches its immediate
            a.call(other);
            a.mov(ebx, eax);
        });

        Assert.Equal(StopReason.Halted, m.Run());
        Assert.Equal(5UL, m[3]);

        // Only the callee's block overlapped the store; the caller's blocks stayed valid.
        Assert.Equal(1, m.Cpu.Counters.BlocksInvalidated);
    }

    private static TestMachine Machine(JitMode mode)
    {
        var m = new TestMachine();
        m.Cpu.JitMode = mode;
        m.Cpu.JitCompileTiming = JitCompileTiming.Foreground;
        return m;
    }
}
