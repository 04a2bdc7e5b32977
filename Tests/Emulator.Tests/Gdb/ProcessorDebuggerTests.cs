using Cpu.Debug;
using Emulator.Machines;
using Mmu.Watch;
using TestSupport;

namespace Emulator.Tests.Gdb;

/// <summary>
/// The processor's external-debugger hooks on Mica's kernel, in-process: a breakpoint stops before its
/// instruction, a step runs exactly one, a watchpoint stops after the write, and none changes the guest's bytes.
/// </summary>
public class ProcessorDebuggerTests
{

    [Theory]
    [InlineData(Cpu.Translation.JitMode.Off)]
    [InlineData(Cpu.Translation.JitMode.Always)]
    public void BreakpointStopsBeforeTheInstruction(Cpu.Translation.JitMode jit)
    {
        using Machine machine = Boot(jit);
        ulong kmain = Symbol("kmain");
        machine.Processor.Debugger.AddBreakpoint(kmain);
        RunResult result = machine.RunUntil(new RunCondition { MaxInstructions = 50_000_000 });
        Assert.Equal(StopCause.StopRequested, result.Cause);
        Assert.Equal(DebugStopKind.Breakpoint, machine.Processor.Debugger.LastStop);
        Assert.Equal(kmain, machine.Processor.State.Rip);

        // Stepping from there runs the one instruction at the breakpoint.
        long before = machine.Processor.InstructionsRetired;
        machine.Processor.Debugger.Resume(step: true);
        machine.RunUntil(new RunCondition { MaxInstructions = 50_000_000 });
        Assert.Equal(DebugStopKind.Step, machine.Processor.Debugger.LastStop);
        Assert.Equal(before + 1, machine.Processor.InstructionsRetired);
    }

    [Fact]
    public void CodeRunsCompiledWhileABreakpointWaitsAndStopsWhereTheInterpreterStops()
    {
        // The first system call comes after the kernel's PIT calibration loop: tens of millions of instructions.
        long Stop(Cpu.Translation.JitMode jit, out long compiled)
        {
            using Machine machine = Boot(jit);
            ulong entry = Symbol("syscall_entry");
            machine.Processor.Debugger.AddBreakpoint(entry);
            RunResult result = machine.RunUntil(new RunCondition { MaxInstructions = 200_000_000 });
            Assert.Equal(StopCause.StopRequested, result.Cause);
            Assert.Equal(DebugStopKind.Breakpoint, machine.Processor.Debugger.LastStop);
            Assert.Equal(entry, machine.Processor.State.Rip);
            compiled = machine.Processor.Jit.Counters.InstructionsInCompiledCode;
            return machine.Processor.InstructionsRetired;
        }

        long interpreted = Stop(Cpu.Translation.JitMode.Off, out _);
        long withJit = Stop(Cpu.Translation.JitMode.Always, out long compiled);
        Assert.Equal(interpreted, withJit);
        Assert.True(compiled > withJit / 2, $"only {compiled} of {withJit} instructions ran compiled with a breakpoint set");
    }

    [Fact]
    public void WatchpointStopsAfterTheWrite()
    {
        using Machine machine = Boot(Cpu.Translation.JitMode.On);
        ulong variable = Symbol("frames_free");
        machine.Processor.Debugger.AddWatchpoint(variable, 8, WatchKind.Write);
        RunResult result = machine.RunUntil(new RunCondition { MaxInstructions = 50_000_000 });
        Assert.Equal(StopCause.StopRequested, result.Cause);
        Assert.Equal(DebugStopKind.Watchpoint, machine.Processor.Debugger.LastStop);
        Assert.Equal(variable, machine.Processor.Debugger.LastWatchpoint.Start);
        Span<byte> value = stackalloc byte[8];
        Assert.Equal(8, machine.Memory.InspectRead(variable, value));
        Assert.NotEqual(0UL, BitConverter.ToUInt64(value));
    }

    internal static Machine Boot(Cpu.Translation.JitMode jit) => new(new MachineConfiguration
    {
        KernelPath = RepoPaths.GuestImage("mica.elf"),
        Modules = Emulator.Boot.MultibootModule.ParseList(RepoPaths.GuestImage("initfs.tar")),
        CommandLine = "test=boot",
        MemorySize = 64UL << 20,
        Jit = jit,
    });

    internal static ulong Symbol(string name) => GuestSymbols.Address(RepoPaths.GuestImage("mica.elf"), name);
}
