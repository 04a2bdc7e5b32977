using Cpu.Execution;
using Cpu.Tests.System;
using Cpu.Translation;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Translation;

/// <summary>
/// Regions: a loop of several blocks (a conditional path, a call, a store, a division) compiled as one method
/// ends in the interpreter's state; a fault in a member names that member's instruction; a write to a member's
/// code drops the region, and the new bytes run.
/// </summary>
public class RegionTests
{
    private const ulong Head = SystemMachine.KernelCode + 0x100;
    private const ulong Even = SystemMachine.KernelCode + 0x800;
    private const ulong Join = SystemMachine.KernelCode + 0x900;
    private const ulong Helper = SystemMachine.KernelCode + 0xA00;
    private const ulong Data = 0x40000;

    /// <summary>The loop's passes; the even path's ADD immediate is rewritten in pass <see cref="PatchAt"/> (counting down).</summary>
    private const int Passes = 300;
    private const int PatchAt = 100;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoopOfSeveralBlocksEndsInTheInterpretersStateAndRunsInOneMethod(bool patch)
    {
        using SystemMachine interpreted = Build(JitMode.Off, regions: false, patch, divisorStart: 1000);
        using SystemMachine blocks = Build(JitMode.Always, regions: false, patch, divisorStart: 1000);
        using SystemMachine regions = Build(JitMode.Always, regions: true, patch, divisorStart: 1000);
        foreach (SystemMachine m in new[] { interpreted, blocks, regions })
        {
            Assert.Equal(StopReason.Halted, m.Run(1_000_000));
        }

        AssertSameState(interpreted, regions);
        AssertSameState(interpreted, blocks);
        for (ulong at = Data; at < Data + ((Passes + 1) * 8); at += 8)
        {
            Assert.Equal(interpreted.Read64(at), regions.Read64(at));
        }

        // The patched immediate ran from then on (0x11 before, 0x55 after, on every even pass).
        Assert.Equal(patch ? (byte)0x55 : (byte)0x11, regions.Ram.Span(Even + 3, 1)[0]);
        Assert.True(regions.Cpu.Jit.Counters.RegionsCompiled > 0, "no region was compiled");

        // Without regions every block boundary of a pass is a chained entry; inside a region none is.
        long withRegions = regions.Cpu.Jit.Counters.ChainedEntries;
        long withoutRegions = blocks.Cpu.Jit.Counters.ChainedEntries;
        Assert.True(withRegions * 2 < withoutRegions, $"{withRegions} chained entries with regions, {withoutRegions} without");
    }

    [Fact]
    public void FaultInAMemberNamesItsInstructionAndState()
    {
        // The divisor reaches zero in pass 160: #DE at the DIV in JOIN's last block, inside the region.
        using SystemMachine interpreted = Build(JitMode.Off, regions: false, patch: false, divisorStart: 160);
        using SystemMachine regions = Build(JitMode.Always, regions: true, patch: false, divisorStart: 160);
        foreach (SystemMachine m in new[] { interpreted, regions })
        {
            m.RunToHandler(ExceptionVector.DivideError, 1_000_000);
        }

        Assert.True(regions.Cpu.Jit.Counters.RegionsCompiled > 0, "no region was compiled");
        Assert.Equal(interpreted.StackSlot(0), regions.StackSlot(0)); // the RIP of the DIV
        AssertSameState(interpreted, regions);
    }

    private static void AssertSameState(SystemMachine expected, SystemMachine actual)
    {
        for (int r = 0; r < 16; r++)
        {
            Assert.True(expected.Cpu.State.Gpr[r] == actual.Cpu.State.Gpr[r], $"R{r}: {expected.Cpu.State.Gpr[r]:x} against {actual.Cpu.State.Gpr[r]:x}");
        }

        Assert.Equal(expected.Cpu.State.Rflags, actual.Cpu.State.Rflags);
        Assert.Equal(expected.Cpu.State.Rip, actual.Cpu.State.Rip);
        Assert.Equal(expected.Cpu.InstructionsRetired, actual.Cpu.InstructionsRetired);
    }

    /// <summary>
    /// The loop, its blocks at fixed places on one page: HEAD tests the pass's parity; the odd path stores, calls
    /// HELPER and jumps to JOIN; EVEN adds an immediate (rewritten in pass <see cref="PatchAt"/> when
    /// <paramref name="patch"/>) and mixes in a product; JOIN divides by a count that reaches zero after
    /// <paramref name="divisorStart"/> passes and goes round.
    /// </summary>
    private static SystemMachine Build(JitMode mode, bool regions, bool patch, int divisorStart)
    {
        var m = new SystemMachine();
        m.Cpu.JitMode = mode;
        m.Cpu.JitRegions = regions;
        m.EnterKernel();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(ecx, Passes);
            a.xor(ebx, ebx);
            a.mov(r10d, divisorStart + 1);
            a.mov(esi, (uint)Data);
            a.xor(r11d, r11d);
            a.jmp(Head);
        });
        m.Load(Head, a =>
        {
            a.mov(rax, rcx);
            a.and(eax, 1);
            a.jz(Even);
            a.add(rbx, rcx);
            a.mov(__qword_ptr[rsi + (rcx * 8)], rbx);
            a.call(Helper);
            a.jmp(Join);
        });
        m.Load(Even, a =>
        {
            a.add(rbx, 0x11); // 48 83 C3 11: the immediate is at Even + 3
            a.imul(rax, rcx, 3);
            a.xor(rbx, rax);
            a.jmp(Join);
        });
        m.Load(Join, a =>
        {
            Label skip = a.CreateLabel();
            a.cmp(ecx, PatchAt);
            a.jne(skip);
            if (patch)
            {
                a.mov(__byte_ptr[Even + 3], 0x55);
            }

            a.Label(ref skip);
            a.dec(r10);
            a.mov(rax, rbx);
            a.xor(edx, edx);
            a.div(r10);
            a.add(r11, rax);
            a.add(r11, rdx);
            a.dec(ecx);
            a.jnz(Head);
            a.hlt();
        });
        m.Load(Helper, a =>
        {
            a.lea(rbx, __[rbx + (rbx * 2) + 1]);
            a.ret();
        });
        return m;
    }
}
