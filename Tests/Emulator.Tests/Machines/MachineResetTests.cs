using Cpu.State;
using Cpu.System;
using Emulator.Machines;
using TestSupport;

namespace Emulator.Tests.Machines;

/// <summary>The machine's RESET: memory as at power-on, the boot image placed again, devices reset, counted; or, under NoReboot, the end of the run.</summary>
public class MachineResetTests
{
    private const ulong Scribble = 0x40_0000;

    private static MachineConfiguration Hello() => new()
    {
        KernelPath = RepoPaths.GuestImage("tests/hello.elf"),
        MemorySize = 64UL * 1024 * 1024,
    };

    [Fact]
    public void AResetClearsRamReloadsTheImageAndBootsAgain()
    {
        using var machine = new Machine(Hello());
        byte[] image = machine.Ram.Span(0x10_0000, 256).ToArray();
        machine.Ram.Span(Scribble, 1)[0] = 0xA5;
        machine.Ram.Span(0x10_0000, 1)[0] ^= 0xFF; // the kernel's first byte: the reset must load it again
        machine.Rtc.Out(0x70, 1, 0x48);
        machine.Rtc.Out(0x71, 1, 0x5A);
        machine.Processor.State.Cr4 = 0x20;

        machine.RequestReset();
        RunResult r = machine.RunUntil(RunCondition.GuestStops);

        Assert.Equal(StopCause.DebugExit, r.Cause);
        Assert.Equal(1, r.Counters.Resets);
        Assert.Equal(0, machine.Ram.Span(Scribble, 1)[0]);
        Assert.Equal(image, machine.Ram.Span(0x10_0000, 256).ToArray());
        Assert.Contains("TEST hello: PASS", machine.SerialTranscript);
        machine.Rtc.Out(0x70, 1, 0x48);
        Assert.Equal(0x5Au, machine.Rtc.In(0x71, 1)); // CMOS RAM is battery-backed
        Assert.Equal(0UL, machine.Processor.State.Cr4);
    }

    [Fact]
    public void ProcessorResetIsTheSdmPowerUpState()
    {
        using var machine = new Machine(Hello());
        machine.Processor.SystemRegisters.Msr.Star = 0x1234;
        machine.Processor.Reset();
        CpuState s = machine.Processor.State;
        Assert.Equal(0x6000_0010UL, s.Cr0);
        Assert.Equal(0xFFF0UL, s.Rip);
        Assert.Equal(0x2UL, s.Rflags);
        Assert.Equal(0xF000, s.Segments[SegmentIndex.Cs].Selector);
        Assert.Equal(0xFFFF_0000UL, s.Segments[SegmentIndex.Cs].Base);
        Assert.Equal(0xFFFFu, s.Segments[SegmentIndex.Ds].Limit);
        Assert.Equal((ulong)CpuIdentification.Signature, s.Gpr[GprIndex.Rdx]);
        Assert.Equal(0xFFFF, s.IdtrLimit);
        Assert.Equal(0x1F80u, s.Mxcsr);
        Assert.Equal(0x40, s.X87.Control);
        Assert.Equal(0UL, machine.Processor.SystemRegisters.Msr.Star);
        Assert.Equal(0xFFFF_0FF0UL, machine.Processor.SystemRegisters.Debug[6]);
    }

    [Fact]
    public void WithNoRebootAResetEndsTheRun()
    {
        using var machine = new Machine(Hello() with { NoReboot = true });
        machine.RequestReset();
        RunResult r = machine.RunUntil(RunCondition.GuestStops);
        Assert.Equal(StopCause.Reset, r.Cause);
        Assert.Equal(0, r.Counters.Resets);
        Assert.DoesNotContain("PASS", machine.SerialTranscript);
    }

    [Theory]
    [InlineData(0x2, StopCause.DebugExit)] // A20 only: hello runs to its end
    [InlineData(0x3, StopCause.Reset)]
    public void PortA92ResetsWhenBitZeroRises(uint value, StopCause expected)
    {
        using var machine = new Machine(Hello() with { NoReboot = true });
        Assert.Same(machine.ResetPort, machine.Ports.HandlerOf(0x92));
        Assert.Equal(0x2u, machine.ResetPort.In(0x92, 1)); // A20 on
        machine.ResetPort.Out(0x92, 1, value);
        Assert.Equal(expected, machine.RunUntil(RunCondition.GuestStops).Cause);
    }
}
