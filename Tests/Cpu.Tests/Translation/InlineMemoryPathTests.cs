using Cpu.Execution;
using Cpu.Tests.Support;
using Cpu.Tests.System;
using Cpu.Translation;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Translation;

/// <summary>
/// The optimized tier's memory path (TLB check and host access in the block's IL, fault-time state written
/// on the slow path only) against the interpreter: accesses that cross a page, TLB entries dropped by
/// INVLPG inside a hot loop, stores into the running block's own code, and faults on the Nth pass of a
/// compiled loop with the registers changed since the last write-back. Every block is compiled optimized
/// at once, so the inline path is what runs.
/// </summary>
public class InlineMemoryPathTests
{
    private const ulong Pml4 = 0xB0000;

    [Fact]
    public void PageCrossingAccessesInAHotLoopMatchTheInterpreter()
    {
        Action<Iced.Intel.Assembler> program = a =>
        {
            var loop = a.CreateLabel();
            a.mov(ecx, 300);
            a.mov(edi, (uint)TestMachine.DataBase + 0xFFD);
            a.Label(ref loop);
            a.mov(rax, __qword_ptr[rdi]);       // bytes 0xFFD..0x1004: crosses the page end
            a.add(rax, rcx);
            a.mov(__qword_ptr[rdi], rax);
            a.add(__dword_ptr[rdi + 1], 7);     // read-modify-write across the end
            a.mov(__word_ptr[rdi + 2], cx);     // 0xFFF..0x1000
            a.movzx(edx, __word_ptr[rdi + 2]);
            a.add(rbx, rdx);
            a.dec(ecx);
            a.jnz(loop);
        };
        using var interpreted = new TestMachine();
        using var compiled = new TestMachine();
        interpreted.Cpu.JitMode = JitMode.Off;
        compiled.Cpu.JitMode = JitMode.Always;
        compiled.Cpu.JitFirstTier = CompileTier.Optimized;
        interpreted.Execute(program);
        compiled.Execute(program);

        AssertSameRegisters(interpreted.State.Gpr, compiled.State.Gpr);
        Assert.Equal(interpreted.State.Rflags, compiled.State.Rflags);
        Assert.True(interpreted.Ram.Span(TestMachine.DataBase, 8192).SequenceEqual(compiled.Ram.Span(TestMachine.DataBase, 8192)));
        Assert.True(compiled.Cpu.Jit.Counters.InstructionsInCompiledCode > 2000);
    }

    [Fact]
    public void InvlpgInAHotLoopIsSeenByTheNextCompiledRead()
    {
        // Linear page 0x180000 maps physical 0x181000 (holding 1) and 0x182000 (holding 10) in turn: the
        // loop rewrites its PTE and drops the translation each pass, so a stale TLB entry reads the wrong one.
        const ulong data = 0x18_0000;
        static void Program(Iced.Intel.Assembler a, ulong pte)
        {
            var loop = a.CreateLabel();
            a.mov(ecx, 200);
            a.mov(edi, (uint)data);
            a.mov(esi, (uint)pte);
            a.mov(r8d, 0x18_2003);
            a.mov(r9d, 0x18_1003);
            a.Label(ref loop);
            a.add(rax, __qword_ptr[rdi]);
            a.mov(__qword_ptr[rsi], r8);
            a.mov(r10, r8);
            a.mov(r8, r9);
            a.mov(r9, r10);
            a.invlpg(__byte_ptr[rdi]);
            a.dec(ecx);
            a.jnz(loop);
            a.hlt();
        }

        ulong[] final = new ulong[2];
        foreach (JitMode mode in new[] { JitMode.Off, JitMode.Always })
        {
            using var m = new SystemMachine();
            m.Cpu.JitMode = mode;
            m.Cpu.JitFirstTier = CompileTier.Optimized;
            ulong pageTable = IdentityPaging.EnableWithPageTable(m, Pml4);
            ulong pte = pageTable + ((data >> 12) * 8);
            m.Write64(pte, 0x18_1003);
            m.Write64(0x18_1000, 1);
            m.Write64(0x18_2000, 10);
            m.Load(SystemMachine.KernelCode, a => Program(a, pte));
            Assert.Equal(StopReason.Halted, m.Run(100_000));
            final[mode == JitMode.Off ? 0 : 1] = m.State.Gpr[0];
            if (mode == JitMode.Always)
            {
                Assert.True(m.Cpu.Jit.Counters.InstructionsInCompiledCode > 1000);
            }
        }

        Assert.Equal(1100UL, final[0]);
        Assert.Equal(final[0], final[1]);
    }

    [Fact]
    public void StoreIntoTheRunningBlocksOwnCodeInALoopIsSeenOnTheNextPass()
    {
        // Each pass patches the immediate of the ADD below it (same block, a loop onto itself).
        static void Program(Iced.Intel.Assembler a, ulong immediate)
        {
            var loop = a.CreateLabel();
            a.mov(ecx, 50);
            a.xor(ebx, ebx);
            a.mov(rdi, (long)immediate);
            a.Label(ref loop);
            a.mov(__byte_ptr[rdi], cl);
            a.add(ebx, 0x11); // 83 C3 ib: the immediate is its last byte
            a.dec(ecx);
            a.jnz(loop);
        }

        // The ADD follows the patching MOV; its immediate is two bytes into it.
        int before = SystemMachine.Length(a =>
        {
            a.mov(ecx, 50);
            a.xor(ebx, ebx);
            a.mov(rdi, (long)TestMachine.CodeBase);
            a.mov(__byte_ptr[rdi], cl);
        });
        ulong immediateAt = TestMachine.CodeBase + (ulong)before + 2;
        using var interpreted = new TestMachine();
        using var compiled = new TestMachine();
        interpreted.Cpu.JitMode = JitMode.Off;
        compiled.Cpu.JitMode = JitMode.Always;
        compiled.Cpu.JitFirstTier = CompileTier.Optimized;
        interpreted.Execute(a => Program(a, immediateAt));
        compiled.Execute(a => Program(a, immediateAt));

        Assert.Equal(50UL * 51 / 2, interpreted[3]);
        Assert.Equal(interpreted[3], compiled[3]);
        Assert.Equal(interpreted.Cpu.InstructionsRetired, compiled.Cpu.InstructionsRetired);
        Assert.True(compiled.Cpu.Jit.Counters.Invalidations >= 49, $"{compiled.Cpu.Jit.Counters.Invalidations} invalidations");
    }

    [Fact]
    public void PageFaultOnTheNthPassOfACompiledLoopHasTheInterpretersState()
    {
        // Each pass reads a new page (a TLB miss: the slow path) after changing RDX and ECX; the read of
        // page 0x150 (pass 81) faults. Registers, CR2, the frame and the instruction count must be exact.
        static void Program(Iced.Intel.Assembler a)
        {
            var loop = a.CreateLabel();
            a.mov(esi, 0x10_0000);
            a.xor(ecx, ecx);
            a.xor(eax, eax);
            a.Label(ref loop);
            a.add(rdx, 3);
            a.inc(ecx);
            a.add(rax, __qword_ptr[rsi + 8]);
            a.lea(rsi, __qword_ptr[rsi + 0x1000]);
            a.mov(__dword_ptr[rsi - 0x800], ecx);
            a.cmp(ecx, 1000);
            a.jne(loop);
            a.hlt();
        }

        SystemMachine[] runs = new SystemMachine[2];
        try
        {
            foreach (JitMode mode in new[] { JitMode.Off, JitMode.Always })
            {
                var m = new SystemMachine();
                runs[mode == JitMode.Off ? 0 : 1] = m;
                m.Cpu.JitMode = mode;
                m.Cpu.JitFirstTier = CompileTier.Optimized;
                ulong pageTable = IdentityPaging.EnableWithPageTable(m, Pml4);
                m.Write64(pageTable + (0x150 * 8), 0);
                m.Load(SystemMachine.KernelCode, Program);
                m.RunToHandler(ExceptionVector.PageFault, budget: 100_000);
            }

            (SystemMachine interpreted, SystemMachine compiled) = (runs[0], runs[1]);
            Assert.Equal(0x15_0000UL + 8, interpreted.State.Cr2);
            Assert.Equal(0x51UL, interpreted.State.Gpr[1]);
            AssertSameRegisters(interpreted.State.Gpr, compiled.State.Gpr);
            Assert.Equal(interpreted.State.Cr2, compiled.State.Cr2);
            for (int slot = 0; slot < 4; slot++)
            {
                Assert.Equal(interpreted.StackSlot(slot), compiled.StackSlot(slot)); // error code, RIP, CS, RFLAGS
            }

            Assert.Equal(interpreted.Cpu.InstructionsRetired, compiled.Cpu.InstructionsRetired);
            Assert.True(compiled.Cpu.Jit.Counters.InstructionsInCompiledCode > 400);
        }
        finally
        {
            runs[0]?.Dispose();
            runs[1]?.Dispose();
        }
    }

    [Theory]
    [InlineData(false, ExceptionVector.GeneralProtection)]
    [InlineData(true, ExceptionVector.StackFault)]
    public void NonCanonicalAccessFaultsFromTheSlowPathWithTheRegistersWrittenBack(bool throughStack, int vector)
    {
        // The TLB holds canonical pages only, so the inline compare misses and the slow path raises #GP(0),
        // or #SS(0) through SS (RBP as base), after writing back EAX and RCX.
        Action<Iced.Intel.Assembler> prefix = a =>
        {
            a.mov(eax, 5);
            a.add(rcx, 9);
            a.mov(rbx, unchecked((long)0x8000_0000_0000_0000UL));
            a.mov(rbp, rbx);
        };
        using var m = new SystemMachine();
        m.Cpu.JitMode = JitMode.Always;
        m.Cpu.JitFirstTier = CompileTier.Optimized;
        m.Load(SystemMachine.KernelCode, a =>
        {
            prefix(a);
            if (throughStack)
            {
                a.mov(rdx, __qword_ptr[rbp + 8]);
            }
            else
            {
                a.mov(__qword_ptr[rbx + 8], rdx);
            }

            a.mov(esi, 1);
        });

        m.RunToHandler(vector);

        Assert.Equal(0UL, m.StackSlot(0)); // error code 0
        Assert.Equal(SystemMachine.KernelCode + (ulong)SystemMachine.Length(prefix), m.StackSlot(1));
        Assert.Equal(5UL, m.State.Gpr[0]);
        Assert.Equal(9UL, m.State.Gpr[1]);
        Assert.Equal(0UL, m.State.Gpr[6]);
        Assert.Equal(4 + 1, m.Cpu.Jit.Counters.InstructionsInCompiledCode); // and the handler's HLT, compiled too
    }

    private static void AssertSameRegisters(ulong[] expected, ulong[] actual)
    {
        for (int r = 0; r < 16; r++)
        {
            Assert.True(expected[r] == actual[r], $"GPR {r} is 0x{actual[r]:X}, interpreter 0x{expected[r]:X}");
        }
    }
}
