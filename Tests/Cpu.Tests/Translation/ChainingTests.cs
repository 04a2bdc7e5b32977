using Cpu.Execution;
using Cpu.System;
using Cpu.Tests.Support;
using Cpu.Tests.System;
using Cpu.Translation;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Translation;

/// <summary>
/// Block chaining: a compiled block that ends in a direct branch or a fall-through goes on into the next
/// compiled block on the same page without the dispatcher, and still computes what the interpreter
/// computes, takes interrupts within a bounded time, and faults precisely in the block it moved to.
/// </summary>
public class ChainingTests
{
    private const ulong Pml4 = 0xB0000;

    /// <summary>
    /// A loop of three blocks: the head (ends in a conditional branch), a body that loads from a table
    /// (ends in a conditional branch), and a tail that jumps back.
    /// </summary>
    private static void ThreeBlockLoop(Assembler a, ulong table)
    {
        var top = a.CreateLabel();
        var odd = a.CreateLabel();
        var tail = a.CreateLabel();
        a.mov(ecx, 400);
        a.mov(rsi, table);
        a.Label(ref top);
        a.add(rax, 3);
        a.test(al, 1);
        a.jnz(odd);
        a.mov(rdx, __qword_ptr[rsi + rcx * 8]);
        a.add(rbx, rdx);
        a.jmp(tail);
        a.Label(ref odd);
        a.xor(rbx, rax);
        a.Label(ref tail);
        a.mov(__qword_ptr[rsi + rcx * 8], rbx);
        a.dec(ecx);
        a.jnz(top);
        a.hlt();
    }

    [Theory]
    [InlineData(CompileTier.Quick, false)]
    [InlineData(CompileTier.Optimized, false)]
    [InlineData(CompileTier.Quick, true)]
    public void ChainedLoopEndsInTheInterpretersState(CompileTier tier, bool regions)
    {
        using var interpreted = new TestMachine();
        using var compiled = new TestMachine();
        for (int i = 0; i < 512; i++)
        {
            interpreted.Write64(TestMachine.DataBase + ((ulong)i * 8), (ulong)i * 0x9E37_79B9);
            compiled.Write64(TestMachine.DataBase + ((ulong)i * 8), (ulong)i * 0x9E37_79B9);
        }

        interpreted.Cpu.JitMode = JitMode.Off;
        compiled.Cpu.JitMode = JitMode.Always;
        compiled.Cpu.JitFirstTier = tier;
        compiled.Cpu.JitRegions = regions;
        interpreted.Load(a => ThreeBlockLoop(a, TestMachine.DataBase));
        compiled.Load(a => ThreeBlockLoop(a, TestMachine.DataBase));
        Assert.Equal(StopReason.Halted, interpreted.Run());
        Assert.Equal(StopReason.Halted, compiled.Run());

        for (int r = 0; r < 16; r++)
        {
            Assert.Equal(interpreted[r], compiled[r]);
        }

        Assert.Equal(interpreted.State.Rflags, compiled.State.Rflags);
        Assert.Equal(interpreted.Cpu.InstructionsRetired, compiled.Cpu.InstructionsRetired);
        Assert.True(interpreted.Ram.Span(TestMachine.DataBase, 4096).SequenceEqual(compiled.Ram.Span(TestMachine.DataBase, 4096)));
        // Without regions the blocks chain; with them the loop runs in one method (a region of the three blocks).
        JitCounters c = compiled.Cpu.Jit.Counters;
        Assert.True(regions ? c.RegionsCompiled > 0 : c.ChainedEntries > 400, $"{c.ChainedEntries} chained entries, {c.RegionsCompiled} regions");
        Assert.Equal(0, interpreted.Cpu.Jit.Counters.ChainedEntries);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void InterruptIsTakenInAChainedLoop(bool regions)
    {
        using var m = new SystemMachine();
        m.Cpu.JitMode = JitMode.Always;
        m.Cpu.JitRegions = regions;
        m.Cpu.InterruptController = new CountdownController(polls: 50, vector: 0x20);
        m.State.Rflags = SystemFlags.Interrupt | 0x2;
        m.Load(SystemMachine.KernelCode, a =>
        {
            // Two blocks that branch to each other: neither loops onto itself.
            var first = a.CreateLabel();
            var second = a.CreateLabel();
            a.Label(ref first);
            a.inc(rax);
            a.jmp(second);
            a.Label(ref second);
            a.add(rbx, rax);
            a.jmp(first);
        });

        // Each dispatcher visit runs at most MaxChainedBlocks blocks of 2 instructions: 50 polls fit easily.
        m.RunToHandler(0x20, budget: 100_000);

        Assert.Equal(1, m.Cpu.Counters.InterruptsByVector[0x20]);
        JitCounters c = m.Cpu.Jit.Counters;
        Assert.True(regions ? c.RegionsCompiled > 0 : c.ChainedEntries > 100, $"{c.ChainedEntries} chained entries, {c.RegionsCompiled} regions");

        // A region counts a pass at its back edge and leaves after MaxPassesPerEntry of them (then back to the dispatcher).
        int perVisit = regions ? BlockEmitter.MaxPassesPerEntry + 1 : 2 * (TieredCompiler.MaxChainedBlocks + 1);
        Assert.True(m.State.Gpr[0] < (ulong)(50 * perVisit), $"RAX {m.State.Gpr[0]}: the interrupt waited too long");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PageFaultInAChainedBlockHasItsRipAndEarlierResults(bool regions)
    {
        using var interpreted = FaultingLoop(JitMode.Off);
        using var compiled = FaultingLoop(JitMode.Always, regions: regions);

        // Where the interpreter stopped: at the load (decoded from guest memory), 41 passes in.
        ulong rip = interpreted.StackSlot(1);
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(interpreted.Ram.Span(rip, 15).ToArray()));
        decoder.IP = rip;
        Assert.Equal(Mnemonic.Mov, decoder.Decode().Mnemonic);
        Assert.Equal(41UL, interpreted.State.Gpr[0]);

        Assert.Equal(rip, compiled.StackSlot(1));
        Assert.Equal(0x20_0000UL, compiled.State.Cr2);
        for (int r = 0; r < 16; r++)
        {
            Assert.Equal(interpreted.State.Gpr[r], compiled.State.Gpr[r]);
        }

        Assert.Equal(interpreted.StackSlot(3), compiled.StackSlot(3)); // RFLAGS pushed by the fault
        Assert.Equal(interpreted.Cpu.InstructionsRetired, compiled.Cpu.InstructionsRetired);
        JitCounters c = compiled.Cpu.Jit.Counters;
        Assert.True(regions ? c.RegionsCompiled > 0 : c.ChainedEntries > 40, $"{c.ChainedEntries} chained entries, {c.RegionsCompiled} regions");
    }

    [Fact]
    public void PageFaultInALoopOntoItselfHasItsRipAndEarlierResults()
    {
        // One block that branches back to its own start: the fault comes in its 41st pass inside the
        // compiled method, and its index is recovered from the instructions completed.
        using var interpreted = FaultingLoop(JitMode.Off, selfLoop: true);
        using var compiled = FaultingLoop(JitMode.Always, selfLoop: true);

        ulong rip = interpreted.StackSlot(1);
        Assert.Equal(41UL, interpreted.State.Gpr[0]);
        Assert.Equal(rip, compiled.StackSlot(1));
        for (int r = 0; r < 16; r++)
        {
            Assert.Equal(interpreted.State.Gpr[r], compiled.State.Gpr[r]);
        }

        Assert.Equal(interpreted.StackSlot(3), compiled.StackSlot(3));
        Assert.Equal(interpreted.Cpu.InstructionsRetired, compiled.Cpu.InstructionsRetired);
        Assert.True(compiled.Cpu.Jit.Counters.InstructionsInCompiledCode > 150);
    }

    /// <summary>
    /// A two-block loop (or with <paramref name="selfLoop"/> one block looping onto itself) over a table that
    /// ends 40 entries below the unmapped 2 MiB boundary: the 41st load faults, in the second block after the
    /// first block of that pass has run.
    /// </summary>
    private static SystemMachine FaultingLoop(JitMode mode, bool selfLoop = false, bool regions = false)
    {
        var m = new SystemMachine();
        m.Cpu.JitMode = mode;
        m.Cpu.JitRegions = regions;
        IdentityPaging.Enable(m, Pml4);
        m.Load(SystemMachine.KernelCode, a =>
        {
            var top = a.CreateLabel();
            var done = a.CreateLabel();
            a.xor(eax, eax);
            a.mov(ebx, 7);
            a.mov(rsi, 0x20_0000 - (40 * 8));
            a.Label(ref top);
            a.add(rax, 1);
            if (!selfLoop)
            {
                a.cmp(rax, 1_000);
                a.jae(done);
            }

            a.mov(rdx, __qword_ptr[rsi + (rax * 8) - 8]);
            a.add(rbx, rdx);
            a.jmp(top);
            a.Label(ref done);
            a.hlt();
        });

        m.RunToHandler(ExceptionVector.PageFault, budget: 100_000);
        return m;
    }
}
