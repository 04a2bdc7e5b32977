using Cpu.Execution;
using Cpu.Semantics;
using Cpu.State;
using Cpu.System;
using Cpu.Tests.System;
using Cpu.Translation;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Translation;

/// <summary>
/// Kernel paths run from compiled code (SYSCALL, SWAPGS, SYSRET, WRMSR, MOV CR3 with PCIDs, STI, REP
/// strings): the same state, instruction count and transition and TLB counters as the interpreter, and none
/// of them ends a compiled prefix.
/// </summary>
public class KernelPathTests
{
    private const ulong Lstar = 0x30000;
    private const ulong PerCpu = 0x50000;
    private const ulong Pml4A = 0x100000;
    private const ulong Pml4B = 0x110000;

    [Theory]
    [InlineData(CompileTier.Quick)]
    [InlineData(CompileTier.Optimized)]
    public void SyscallSwapgsSysretLoopMatchesTheInterpreter(CompileTier tier)
    {
        using SystemMachine interpreted = SyscallLoop(JitMode.Off, tier);
        using SystemMachine compiled = SyscallLoop(JitMode.Always, tier);

        AssertSameState(interpreted, compiled);
        Assert.Equal(300, compiled.Cpu.Counters.Transitions(TransitionKind.Syscall));
        Assert.Equal(interpreted.Cpu.Counters.Transitions(TransitionKind.Sysret), compiled.Cpu.Counters.Transitions(TransitionKind.Sysret));
        Assert.Equal(interpreted.Read64(PerCpu), compiled.Read64(PerCpu));
        Assert.Equal(300UL, compiled.Read64(PerCpu));
        Assert.Equal(interpreted.Cpu.SystemRegisters.Msr.KernelGsBase, compiled.Cpu.SystemRegisters.Msr.KernelGsBase);
        Assert.Equal(interpreted.State.Segments[SegmentIndex.Gs].Base, compiled.State.Segments[SegmentIndex.Gs].Base);

        JitCounters c = compiled.Cpu.Jit.Counters;
        AssertNoPrefixEndsAt(c, Mnemonic.Syscall, Mnemonic.Swapgs, Mnemonic.Sysretq);

        // Everything but the final user-mode HLT (a #GP at CPL 3) and its handler's HLT ran compiled, and the
        // blocks after SYSCALL and SYSRET were entered by chaining, not through the dispatcher.
        Assert.True(compiled.Cpu.InstructionsRetired - c.InstructionsInCompiledCode <= 2, $"{c.InstructionsInCompiledCode} of {compiled.Cpu.InstructionsRetired} compiled");
        Assert.True(c.Exits(BlockExit.Chained) > 2 * 300, $"{c.Exits(BlockExit.Chained)} chained exits");
    }

    [Theory]
    [InlineData(CompileTier.Quick)]
    [InlineData(CompileTier.Optimized)]
    public void Cr3WritesWithPcidsAndWrmsrMatchTheInterpreter(CompileTier tier)
    {
        using SystemMachine interpreted = Cr3Loop(JitMode.Off, tier);
        using SystemMachine compiled = Cr3Loop(JitMode.Always, tier);

        AssertSameState(interpreted, compiled);
        Assert.Equal(interpreted.State.Cr3, compiled.State.Cr3);
        Assert.Equal(interpreted.Cpu.SystemRegisters.Msr.KernelGsBase, compiled.Cpu.SystemRegisters.Msr.KernelGsBase);
        Mmu.MmuCounters i = interpreted.Memory.Counters, j = compiled.Memory.Counters;
        Assert.Equal(1 + 200, j.Cr3WritesWithFlush + j.Cr3WritesWithoutFlush); // the set-up's load, then the loop's
        Assert.Equal(i.Cr3WritesWithFlush, j.Cr3WritesWithFlush);
        Assert.Equal(i.Cr3WritesWithoutFlush, j.Cr3WritesWithoutFlush);
        Assert.Equal(i.PcidFlushes, j.PcidFlushes);
        Assert.Equal(i.FullFlushes + i.NonGlobalFlushes, j.FullFlushes + j.NonGlobalFlushes);
        AssertNoPrefixEndsAt(compiled.Cpu.Jit.Counters, Mnemonic.Mov, Mnemonic.Wrmsr);
    }

    [Fact]
    public void StiInsideACompiledBlockDelaysTheInterruptByOneInstruction()
    {
        foreach (JitMode mode in (JitMode[])[JitMode.Off, JitMode.Always])
        {
            using var m = new SystemMachine();
            m.Cpu.JitMode = mode;
            m.Cpu.InterruptController = new CountdownController(polls: 0, vector: 0x20);
            m.Load(SystemMachine.KernelCode, a =>
            {
                a.inc(rcx);
                a.inc(rcx);
                a.sti();
                a.inc(rax);
                a.inc(rbx);
                a.hlt();
            });

            m.RunToHandler(0x20);

            // SDM 6.8.3: the instruction after STI completes before the interrupt is taken.
            Assert.Equal(2UL, m.State.Gpr[1]);
            Assert.Equal(1UL, m.State.Gpr[0]);
            Assert.Equal(0UL, m.State.Gpr[3]);
            Assert.Equal(SystemMachine.KernelCode + (ulong)SystemMachine.Length(a =>
            {
                a.inc(rcx);
                a.inc(rcx);
                a.sti();
                a.inc(rax);
            }), m.StackSlot(0));
            Assert.Equal(4 + 1, m.Cpu.InstructionsRetired); // and the handler's HLT
        }
    }

    [Theory]
    [InlineData(CompileTier.Quick)]
    [InlineData(CompileTier.Optimized)]
    public void InterruptTakenBetweenSlicesOfACompiledRepMovs(CompileTier tier)
    {
        using SystemMachine interpreted = InterruptedCopy(JitMode.Off, tier);
        using SystemMachine compiled = InterruptedCopy(JitMode.Always, tier);

        AssertSameState(interpreted, compiled);

        // The interrupt came after the first slice: RIP pushed is the REP MOVSB itself, RCX counts what is left.
        ulong rep = SystemMachine.KernelCode + (ulong)SystemMachine.Length(CopySetup);
        Assert.Equal(rep, compiled.StackSlot(0));
        Assert.Equal(10_000UL - Strings.SliceIterations, compiled.State.Gpr[1]);
        Assert.Equal(0x40000UL + Strings.SliceIterations, compiled.State.Gpr[6]);
        Assert.True(compiled.Ram.Span(0x40000, Strings.SliceIterations).SequenceEqual(compiled.Ram.Span(0x48000, Strings.SliceIterations)));
        Assert.Equal(0, compiled.Ram.Span(0x48000 + Strings.SliceIterations, 1)[0]);
        Assert.True(compiled.Cpu.Jit.Counters.InstructionsInCompiledCode >= 4, "the REP MOVSB block did not run compiled");
        AssertNoPrefixEndsAt(compiled.Cpu.Jit.Counters, Mnemonic.Movsb);
    }

    [Theory]
    [InlineData(CompileTier.Quick)]
    [InlineData(CompileTier.Optimized)]
    public void PageFaultInsideACompiledRepStosLeavesRcxAtTheFaultingElement(CompileTier tier)
    {
        using SystemMachine interpreted = FaultingFill(JitMode.Off, tier);
        using SystemMachine compiled = FaultingFill(JitMode.Always, tier);

        AssertSameState(interpreted, compiled);
        Assert.Equal(0x51000UL, compiled.State.Cr2);
        Assert.Equal(0x3000UL - 0x800, compiled.State.Gpr[1]);
        Assert.Equal(0x51000UL, compiled.State.Gpr[7]);
        Assert.Equal(SystemMachine.KernelCode + (ulong)SystemMachine.Length(FillSetup), compiled.StackSlot(1)); // the REP STOSB, above the error code
        Assert.Equal(0xAA, compiled.Ram.Span(0x50FFF, 1)[0]);
        Assert.True(compiled.Cpu.Jit.Counters.Exits(BlockExit.Fault) > 0);
    }

    private static SystemMachine SyscallLoop(JitMode mode, CompileTier tier)
    {
        var m = new SystemMachine();
        m.Cpu.JitMode = mode;
        m.Cpu.JitFirstTier = tier;
        ModelSpecificRegisters msr = m.Cpu.SystemRegisters.Msr;
        msr.Star = ((ulong)(SystemMachine.UserCs32 & ~3) << 48) | ((ulong)SystemMachine.KernelCs << 32);
        msr.Lstar = Lstar;
        msr.Fmask = SystemFlags.Interrupt | SystemFlags.Direction;
        msr.KernelGsBase = PerCpu;
        m.Load(Lstar, a =>
        {
            a.swapgs();
            a.inc(__qword_ptr.gs[0]);
            a.mov(rax, __qword_ptr.gs[0]);
            a.swapgs();
            a.sysretq();
        });
        m.Load(SystemMachine.UserCode, a =>
        {
            var top = a.CreateLabel();
            a.mov(r12d, 300);
            a.Label(ref top);
            a.mov(eax, 1);
            a.syscall();
            a.add(r13, rax);
            a.dec(r12d);
            a.jnz(top);
            a.hlt();
        });
        m.EnterUser();
        m.RunToHandler(ExceptionVector.GeneralProtection, budget: 100_000);
        return m;
    }

    private static SystemMachine Cr3Loop(JitMode mode, CompileTier tier)
    {
        var m = new SystemMachine();
        m.Cpu.JitMode = mode;
        m.Cpu.JitFirstTier = tier;
        IdentityPaging.Build(m, Pml4B);
        m.State.Cr4 |= ControlRegisters.Cr4Pcide;
        IdentityPaging.Enable(m, Pml4A);
        m.Load(SystemMachine.KernelCode, a =>
        {
            var top = a.CreateLabel();
            a.mov(r8d, 100);
            a.mov(r9, Pml4A | 1);
            a.mov(r10, Pml4B | 2 | (1UL << 63)); // PCID 2, keep its entries (SDM 4.10.4.1)
            a.Label(ref top);
            a.mov(cr3, r9);
            a.inc(rdx);
            a.mov(cr3, r10);
            a.mov(ecx, unchecked((int)MsrIndex.KernelGsBase));
            a.mov(rax, rdx);
            a.xor(edx, edx);
            a.wrmsr();
            a.mov(rdx, rax);
            a.dec(r8d);
            a.jnz(top);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Run(100_000));
        return m;
    }

    private static void CopySetup(Assembler a)
    {
        a.mov(rcx, 10_000);
        a.mov(rsi, 0x40000);
        a.mov(rdi, 0x48000);
    }

    private static void FillSetup(Assembler a)
    {
        a.mov(ecx, 0x3000);
        a.mov(edi, 0x50800);
        a.mov(al, 0xAA);
    }

    private static SystemMachine InterruptedCopy(JitMode mode, CompileTier tier)
    {
        var m = new SystemMachine();
        m.Cpu.JitMode = mode;
        m.Cpu.JitFirstTier = tier;
        for (int i = 0; i < 10_000; i++)
        {
            m.Ram.Span(0x40000 + (ulong)i, 1)[0] = (byte)(i * 7);
        }

        // Polled once when the run starts (not pending), then after the first slice: pending.
        m.Cpu.InterruptController = new CountdownController(polls: 1, vector: 0x20);
        m.State.Rflags = SystemFlags.Interrupt | 0x2;
        m.Load(SystemMachine.KernelCode, a =>
        {
            CopySetup(a);
            a.rep.movsb();
            a.hlt();
        });
        m.RunToHandler(0x20);
        return m;
    }

    private static SystemMachine FaultingFill(JitMode mode, CompileTier tier)
    {
        var m = new SystemMachine();
        m.Cpu.JitMode = mode;
        m.Cpu.JitFirstTier = tier;
        ulong pageTable = IdentityPaging.EnableWithPageTable(m, Pml4A);
        m.Write64(pageTable + (0x51 * 8), 0);
        m.Load(SystemMachine.KernelCode, a =>
        {
            FillSetup(a);
            a.rep.stosb();
            a.hlt();
        });
        m.RunToHandler(ExceptionVector.PageFault);
        return m;
    }

    private static void AssertSameState(SystemMachine interpreted, SystemMachine compiled)
    {
        for (int r = 0; r < 16; r++)
        {
            Assert.True(interpreted.State.Gpr[r] == compiled.State.Gpr[r], $"GPR {r} is 0x{compiled.State.Gpr[r]:X}, interpreter 0x{interpreted.State.Gpr[r]:X}");
        }

        Assert.Equal(interpreted.State.Rip, compiled.State.Rip);
        Assert.Equal(interpreted.State.Rflags, compiled.State.Rflags);
        Assert.Equal(interpreted.State.Cpl, compiled.State.Cpl);
        Assert.Equal(interpreted.Cpu.InstructionsRetired, compiled.Cpu.InstructionsRetired);
        Assert.Equal(interpreted.Cpu.Counters.InterruptsByVector.ToArray(), compiled.Cpu.Counters.InterruptsByVector.ToArray());
        Assert.Equal(0, interpreted.Cpu.Jit.Counters.BlocksCompiled);
        Assert.True(compiled.Cpu.Jit.Counters.BlocksCompiled > 0);
    }

    private static void AssertNoPrefixEndsAt(JitCounters c, params Mnemonic[] mnemonics)
    {
        foreach (KeyValuePair<Mnemonic, long> end in c.PrefixEnds())
        {
            Assert.DoesNotContain(end.Key, mnemonics);
        }
    }
}
