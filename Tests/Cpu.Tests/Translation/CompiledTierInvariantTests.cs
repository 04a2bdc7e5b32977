using Cpu.Execution;
using Cpu.System;
using Cpu.Tests.Support;
using Cpu.Tests.System;
using Cpu.Translation;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Translation;

/// <summary>
/// What the compiled tier must keep from the interpreter: precise faults, self-modifying code,
/// interrupts taken in compiled loops, compiled code surviving a CR3 switch.
/// </summary>
public class CompiledTierInvariantTests
{
    private const ulong Pml4A = 0xB0000;
    private const ulong Pml4B = 0xB3000;

    [Fact]
    public void DivideErrorInCompiledCodeHasTheDivisionsRipAndKeepsEarlierResults()
    {
        using var m = new SystemMachine();
        m.Cpu.JitMode = JitMode.Always;
        Action<Iced.Intel.Assembler> prefix = a =>
        {
            a.mov(eax, 7);
            a.xor(ebx, ebx);
            a.add(ecx, 1);
            a.mov(edx, 0);
        };
        m.Load(SystemMachine.KernelCode, a =>
        {
            prefix(a);
            a.div(ebx);
            a.mov(esi, 1);
        });

        m.RunToHandler(ExceptionVector.DivideError);

        Assert.Equal(SystemMachine.KernelCode + (ulong)SystemMachine.Length(prefix), m.StackSlot(0));
        Assert.Equal(7UL, m.State.Gpr[0]);
        Assert.Equal(1UL, m.State.Gpr[1]);
        Assert.Equal(0UL, m.State.Gpr[2]);
        Assert.Equal(0UL, m.State.Gpr[6]);
        Assert.True(m.Cpu.Jit.Counters.BlocksCompiled > 0);
        Assert.Equal(4 + 1, m.Cpu.Jit.Counters.InstructionsInCompiledCode); // and the handler's HLT, compiled too
    }

    [Fact]
    public void PageFaultInCompiledCodeIsPreciseAndChangesNoFlags()
    {
        using var m = new SystemMachine();
        m.Cpu.JitMode = JitMode.Always;
        IdentityPaging.Enable(m, Pml4A);
        Action<Iced.Intel.Assembler> prefix = a =>
        {
            a.mov(eax, 5);
            a.cmp(eax, 5);
            a.mov(ebx, 0x20_0000);
        };
        m.Load(SystemMachine.KernelCode, a =>
        {
            prefix(a);
            a.add(__qword_ptr[rbx], rax);
            a.mov(esi, 1);
        });

        m.RunToHandler(ExceptionVector.PageFault);

        Assert.Equal(0x20_0000UL, m.State.Cr2);
        Assert.Equal(0UL, m.StackSlot(0)); // the ADD's read of a not-present page, CPL 0
        Assert.Equal(SystemMachine.KernelCode + (ulong)SystemMachine.Length(prefix), m.StackSlot(1));
        Assert.NotEqual(0UL, m.StackSlot(3) & (1UL << 6)); // ZF from the CMP, not from the faulting ADD
        Assert.Equal(0UL, m.State.Gpr[6]);
        Assert.Equal(3 + 1, m.Cpu.Jit.Counters.InstructionsInCompiledCode); // and the handler's HLT, compiled too
    }

    [Theory]
    [InlineData(JitMode.Off)]
    [InlineData(JitMode.Always)]
    public void SelfModifyingCodeDiscardsCompiledCode(JitMode mode)
    {
        using var m = new TestMachine();
        m.Cpu.JitMode = mode;
        const ulong target = TestMachine.CodeBase + 0x800;
        m.Load(a => { a.mov(eax, 1); a.ret(); }, target);
        m.Load(a =>
        {
            var loop = a.CreateLabel();
            var next = a.CreateLabel();
            a.mov(ecx, 3);
            a.mov(rdi, target);
            a.Label(ref loop);
            a.call(target);
            a.add(ebx, eax);
            a.inc(__byte_ptr[rdi + 1]); // the callee returns one more each time
            a.dec(ecx);
            a.jnz(loop);
        });

        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(1UL + 2 + 3, m[3]);
        if (mode == JitMode.Always)
        {
            Assert.True(m.Cpu.Jit.Counters.Invalidations >= 2, $"{m.Cpu.Jit.Counters.Invalidations} invalidations");
        }
    }

    [Fact]
    public void StoreIntoTheNextInstructionOfTheSameCompiledBlockIsSeen()
    {
        using var m = new TestMachine();
        m.Cpu.JitMode = JitMode.Always;
        Action<Iced.Intel.Assembler> prefix = a =>
        {
            a.mov(rdi, TestMachine.CodeBase);
            a.mov(__byte_ptr[rdi + 0x7F], 42); // the immediate of the MOV below (offset set by the NOP padding)
        };
        int length = SystemMachine.Length(prefix);
        m.Load(a =>
        {
            prefix(a);
            for (int i = length; i < 0x7E; i++)
            {
                a.nop();
            }

            a.mov(al, 1);
        });

        Assert.Equal(StopReason.Halted, m.Run());
        Assert.Equal(42UL, m[0] & 0xFF);
    }

    [Fact]
    public void InterruptIsTakenInALoopRunningCompiledCode()
    {
        using var m = new SystemMachine();
        m.Cpu.JitMode = JitMode.Always;
        var pic = new CountdownController(polls: 50, vector: 0x20);
        m.Cpu.InterruptController = pic;
        m.State.Rflags = SystemFlags.Interrupt | 0x2;
        m.Load(SystemMachine.KernelCode, a =>
        {
            var loop = a.CreateLabel();
            a.Label(ref loop);
            a.inc(rax);
            a.add(rbx, rax);
            a.jmp(loop);
        });

        m.RunToHandler(0x20, budget: 100_000);

        Assert.Equal(1, m.Cpu.Counters.InterruptsByVector[0x20]);
        Assert.True(m.State.Gpr[0] > 10);
        Assert.True(m.Cpu.Jit.Counters.InstructionsInCompiledCode > 30);
        Assert.Equal(SystemMachine.KernelCode, m.StackSlot(0)); // taken at the block boundary, the loop head
    }

    [Fact]
    public void CompiledCodeSurvivesACr3Switch()
    {
        using var m = new SystemMachine();
        m.Cpu.JitMode = JitMode.Always;

        // Compiled optimized at once: a second run of a block must not count as a compile here.
        m.Cpu.JitFirstTier = CompileTier.Optimized;
        IdentityPaging.Enable(m, Pml4A);
        IdentityPaging.Build(m, Pml4B);
        m.Load(SystemMachine.KernelCode, a =>
        {
            var loop = a.CreateLabel();
            a.mov(ecx, 100);
            a.Label(ref loop);
            a.add(rax, rcx);
            a.dec(ecx);
            a.jnz(loop);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Run());
        int compiled = m.Cpu.Jit.Counters.BlocksCompiled;
        long decoded = m.Cpu.Counters.BlocksDecoded;

        // Another address space mapping the same physical code: nothing is decoded or compiled again.
        m.State.Cr3 = Pml4B;
        m.Memory.LoadCr3(Pml4B);
        m.State.Rip = SystemMachine.KernelCode;
        m.Cpu.Halted = false;
        Assert.Equal(StopReason.Halted, m.Run());

        Assert.Equal(compiled, m.Cpu.Jit.Counters.BlocksCompiled);
        Assert.Equal(decoded, m.Cpu.Counters.BlocksDecoded);
        Assert.Equal(0, m.Cpu.Jit.Counters.Invalidations);
    }
}
