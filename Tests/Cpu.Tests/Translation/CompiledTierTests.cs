using Cpu.Execution;
using Cpu.Tests.Support;
using Cpu.Translation;

namespace Cpu.Tests.Translation;

/// <summary>
/// The compiled tier computes what the interpreter computes: the same guest programs run with
/// <see cref="JitMode.Off"/> and <see cref="JitMode.Always"/> end in the same registers, flags, RIP,
/// instruction count and memory.
/// </summary>
public class CompiledTierTests
{
    public static TheoryData<string, CompileTier> Programs
    {
        get
        {
            var data = new TheoryData<string, CompileTier>();
            foreach (string name in GuestPrograms.Names)
            {
                data.Add(name, CompileTier.Quick);
                data.Add(name, CompileTier.Optimized);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void AlwaysEndsInTheSameStateAsTheInterpreter(string name, CompileTier firstTier)
    {
        var (bitness, code) = GuestPrograms.Get(name);
        using var interpreted = new TestMachine(bitness);
        using var compiled = new TestMachine(bitness);
        interpreted.Cpu.JitMode = JitMode.Off;
        compiled.Cpu.JitMode = JitMode.Always;
        compiled.Cpu.JitFirstTier = firstTier;
        interpreted.Execute(code);
        compiled.Execute(code);

        for (int r = 0; r < 16; r++)
        {
            Assert.True(interpreted[r] == compiled[r], $"{name}: GPR {r} is 0x{compiled[r]:X}, interpreter 0x{interpreted[r]:X}");
        }

        Assert.Equal(interpreted.State.Rip, compiled.State.Rip);
        Assert.Equal(interpreted.State.Rflags, compiled.State.Rflags);
        Assert.Equal(interpreted.Cpu.InstructionsRetired, compiled.Cpu.InstructionsRetired);
        Assert.True(interpreted.Ram.Span(TestMachine.DataBase, 4096).SequenceEqual(compiled.Ram.Span(TestMachine.DataBase, 4096)), $"{name}: data differs");
        Assert.True(interpreted.Ram.Span(TestMachine.StackTop - 4096, 4096).SequenceEqual(compiled.Ram.Span(TestMachine.StackTop - 4096, 4096)), $"{name}: stack differs");

        JitCounters c = compiled.Cpu.Jit.Counters;
        Assert.True(c.BlocksCompiled > 0, $"{name}: nothing compiled");
        Assert.True(c.InstructionsInCompiledCode > compiled.Cpu.InstructionsRetired / 2, $"{name}: only {c.InstructionsInCompiledCode} of {compiled.Cpu.InstructionsRetired} instructions ran compiled");
        Assert.Equal(0, interpreted.Cpu.Jit.Counters.BlocksCompiled);
    }

    [Fact]
    public void OnCompilesAHotLoopInTheBackgroundAndGetsTheSameResult()
    {
        var (bitness, code) = GuestPrograms.Get("alu-loop");
        using var interpreted = new TestMachine(bitness);
        using var tiered = new TestMachine(bitness);
        interpreted.Cpu.JitMode = JitMode.Off;
        tiered.Cpu.JitMode = JitMode.On;
        interpreted.Execute(code);
        tiered.Load(code);

        // Run in slices until the background compile has been published and used (bounded wait).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        StopReason reason;
        do
        {
            reason = tiered.Cpu.Run(200);
            if (tiered.Cpu.Jit.Counters.InstructionsInCompiledCode == 0 && tiered.Cpu.Jit.Counters.BlocksCompiled > 0)
            {
                continue;
            }

            if (tiered.Cpu.Jit.Counters.BlocksCompiled == 0)
            {
                Thread.Sleep(1);
            }
        }
        while (reason != StopReason.Halted && DateTime.UtcNow < deadline);

        Assert.Equal(StopReason.Halted, reason);
        for (int r = 0; r < 16; r++)
        {
            Assert.Equal(interpreted[r], tiered[r]);
        }

        Assert.Equal(interpreted.State.Rflags, tiered.State.Rflags);
        Assert.Equal(interpreted.Cpu.InstructionsRetired, tiered.Cpu.InstructionsRetired);
        Assert.True(tiered.Cpu.Jit.Counters.BlocksCompiled > 0);
    }

    [Fact]
    public void AlwaysRecompilesABlockOptimizedOnItsSecondRun()
    {
        var (bitness, code) = GuestPrograms.Get("memory-loop");
        using var m = new TestMachine(bitness);
        m.Cpu.JitMode = JitMode.Always;
        m.Execute(code);
        JitCounters c = m.Cpu.Jit.Counters;
        Assert.True(c.BlocksOptimized > 0, "no block was recompiled optimized");
        Assert.True(c.BlocksOptimized < c.BlocksCompiled);
    }

    [Fact]
    public void OnRecompilesAHotQuickBlockOptimizedAndGetsTheSameResult()
    {
        // 100 000 passes of a 4-instruction loop: past both the tier-up threshold and the optimizing one.
        Action<Iced.Intel.Assembler> program = a =>
        {
            var loop = a.CreateLabel();
            a.mov(Iced.Intel.AssemblerRegisters.ecx, 100_000);
            a.xor(Iced.Intel.AssemblerRegisters.eax, Iced.Intel.AssemblerRegisters.eax);
            a.Label(ref loop);
            a.add(Iced.Intel.AssemblerRegisters.rax, Iced.Intel.AssemblerRegisters.rcx);
            a.xor(Iced.Intel.AssemblerRegisters.rax, 0x55);
            a.dec(Iced.Intel.AssemblerRegisters.ecx);
            a.jnz(loop);
        };
        using var interpreted = new TestMachine();
        using var tiered = new TestMachine();
        interpreted.Cpu.JitMode = JitMode.Off;
        tiered.Cpu.JitMode = JitMode.On;
        tiered.Cpu.JitCompileTiming = JitCompileTiming.Foreground;
        interpreted.Execute(program);
        tiered.Execute(program);

        Assert.Equal(interpreted[0], tiered[0]);
        Assert.Equal(interpreted.State.Rflags, tiered.State.Rflags);
        Assert.Equal(interpreted.Cpu.InstructionsRetired, tiered.Cpu.InstructionsRetired);
        Assert.Equal(1, tiered.Cpu.Jit.Counters.BlocksOptimized);
        Assert.True(tiered.Cpu.Jit.Counters.InstructionsInCompiledCode > 300_000);
        Assert.True(tiered.Cpu.Jit.Counters.CompiledCodeMilliseconds > 0, "no run of compiled code was timed");
        Assert.Equal(0, interpreted.Cpu.Jit.Counters.CompiledCodeMilliseconds);
    }

    [Fact]
    public void CompileTimesAreCounted()
    {
        var (bitness, code) = GuestPrograms.Get("memory-loop");
        using var m = new TestMachine(bitness);
        m.Cpu.JitMode = JitMode.Always;
        m.Execute(code);
        JitCounters c = m.Cpu.Jit.Counters;
        Assert.True(c.MedianCompileMicroseconds > 0);
        Assert.True(c.P99CompileMicroseconds >= c.MedianCompileMicroseconds);
        Assert.True(c.TotalCompileMilliseconds > 0);
    }

    [Fact]
    public void BlockStartingWithAnUntranslatableInstructionStaysInterpreted()
    {
        // MONITOR is left to the interpreter (not implemented: #UD, and with no IDT a triple fault).
        using var m = new TestMachine();
        m.Cpu.JitMode = JitMode.Always;
        m.Load(a => { a.monitor(); });
        Assert.Equal(StopReason.TripleFault, m.Cpu.Run(100));
        Assert.True(m.Cpu.Jit.Counters.BlocksUntranslatable > 0);
        Assert.Equal(0, m.Cpu.Jit.Counters.InstructionsInCompiledCode);
    }
}
