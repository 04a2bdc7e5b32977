using Cpu.Execution;
using Cpu.Tests.Support;
using Cpu.Tests.System;
using Cpu.Translation;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Translation;

/// <summary>
/// Chaining into other pages and through returns and indirect calls (the per-CPU target cache): the result is
/// the interpreter's, and a link is checked against the current mapping, so a remapped page runs its new code.
/// </summary>
public class CrossPageChainingTests
{
    [Theory]
    [InlineData(CompileTier.Quick)]
    [InlineData(CompileTier.Optimized)]
    public void CallsAndReturnsAcrossPagesChainAndEndInTheInterpretersState(CompileTier tier)
    {
        using var interpreted = new TestMachine();
        using var compiled = new TestMachine();
        interpreted.Cpu.JitMode = JitMode.Off;
        compiled.Cpu.JitMode = JitMode.Always;
        compiled.Cpu.JitFirstTier = tier;
        compiled.Cpu.JitRegions = false; // chaining itself: with regions the loop's own blocks run in one method
        foreach (TestMachine m in new[] { interpreted, compiled })
        {
            LoadCallsToTwoPages(m, 300);
            Assert.Equal(StopReason.Halted, m.Run());
        }

        for (int r = 0; r < 16; r++)
        {
            Assert.Equal(interpreted[r], compiled[r]);
        }

        Assert.Equal(interpreted.State.Rflags, compiled.State.Rflags);
        Assert.Equal(interpreted.Cpu.InstructionsRetired, compiled.Cpu.InstructionsRetired);

        // Per pass five blocks follow each other, four of them across a page; on one page only, one would chain.
        long chained = compiled.Cpu.Jit.Counters.ChainedEntries;
        Assert.True(chained > 4 * 300, $"{chained} chained entries");
    }

    [Fact]
    public void RemappedPageRunsItsNewCodeThroughAChainedCall()
    {
        using var m = new SystemMachine();
        m.Cpu.JitMode = JitMode.Always;
        const ulong callee = 0x30000;
        const ulong other = 0x31000;
        ulong pageTable = IdentityPaging.EnableWithPageTable(m, 0xB0000);
        m.Load(callee, a => { a.mov(eax, 1); a.ret(); });
        m.Load(other, a => { a.mov(eax, 2); a.ret(); });
        m.Load(SystemMachine.KernelCode, a =>
        {
            CallFifty(a, callee);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Run(100_000));
        Assert.Equal(50UL, m.State.Gpr[3]);
        Assert.True(m.Cpu.Jit.Counters.ChainedEntries > 50, $"{m.Cpu.Jit.Counters.ChainedEntries} chained entries");

        // The callee's linear page now maps the other frame (and its TLB entry is dropped, as INVLPG does).
        m.Write64(pageTable + ((callee >> 12) * 8), other | 0x3);
        m.Memory.InvalidatePage(callee);
        m.State.Gpr[3] = 0;
        m.State.Rip = SystemMachine.KernelCode;
        m.Cpu.Halted = false;
        Assert.Equal(StopReason.Halted, m.Run(100_000));

        Assert.Equal(100UL, m.State.Gpr[3]);
    }

    [Theory]
    [InlineData(JitMode.Off)]
    [InlineData(JitMode.Always)]
    public void BlockAcrossAPageBoundaryIsChainedIntoAndFollowsItsSecondPagesMapping(JitMode mode)
    {
        using var m = new SystemMachine();
        m.Cpu.JitMode = mode;
        const ulong callee = 0x30FF8; // MOV EAX, 1; then a block whose MOV EDX, imm32 crosses into 0x31000; ADD; RET
        const ulong other = 0x32000;
        ulong pageTable = IdentityPaging.EnableWithPageTable(m, 0xB0000);
        m.Load(callee, a => { a.mov(eax, 1); a.mov(edx, 0x0000_0007); a.add(eax, edx); a.ret(); });

        // Another frame for the second page: the same bytes but the immediate's third byte (EDX = 0x10007).
        m.Write64(other, m.Read64(0x31000) | 0x01);
        m.Load(SystemMachine.KernelCode, a =>
        {
            CallFifty(a, callee);
            a.mov(r9, rbx);
            a.xor(ebx, ebx);

            // The guest maps the second page to the other frame and drops its TLB entry: the old bytes must not run.
            a.mov(rax, pageTable + ((0x31000 >> 12) * 8));
            a.mov(__qword_ptr[rax], (int)(other | 0x3));
            a.invlpg(__[0x31000]);
            CallFifty(a, callee);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Run(100_000));

        Assert.Equal(50UL * 8, m.State.Gpr[9]);
        Assert.Equal(50UL * 0x10008, m.State.Gpr[3]);
        if (mode == JitMode.Always)
        {
            // Into the crossing block and back out of it, compiled code chains: not a dispatcher visit each time.
            long notFound = m.Cpu.Jit.Counters.Exits(BlockExit.NotFound);
            Assert.True(notFound < 20, $"{notFound} not-found exits");
        }
    }

    /// <summary>Calls <paramref name="callee"/> 50 times and adds each RAX it returns into RBX.</summary>
    private static void CallFifty(Iced.Intel.Assembler a, ulong callee)
    {
        var loop = a.CreateLabel();
        a.mov(ecx, 50);
        a.Label(ref loop);
        a.call(callee);
        a.add(rbx, rax);
        a.dec(ecx);
        a.jnz(loop);
    }

    /// <summary>A loop calling a function on the next page directly and one on the page after through a register.</summary>
    private static void LoadCallsToTwoPages(TestMachine m, int passes)
    {
        const ulong first = TestMachine.CodeBase + 0x1000;
        const ulong second = TestMachine.CodeBase + 0x2000;
        m.Load(a => { a.lea(rax, __[rcx + (rcx * 2) + 1]); a.ret(); }, first);
        m.Load(a => { a.imul(rax, rcx, 7); a.xor(rax, rbx); a.ret(); }, second);
        m.Load(a =>
        {
            var loop = a.CreateLabel();
            a.mov(ecx, passes);
            a.mov(r8, second);
            a.Label(ref loop);
            a.call(first);
            a.add(rbx, rax);
            a.call(r8);
            a.add(rbx, rax);
            a.dec(ecx);
            a.jnz(loop);
        });
    }
}
