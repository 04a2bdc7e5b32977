using Cpu.State;
using Devices.Timing;
using Emulator.Boot;
using Emulator.Machines;
using TestSupport;

namespace Emulator.Tests.Machines;

public class MachineTests
{
    private static MachineConfiguration Hello() => new()
    {
        KernelPath = RepoPaths.GuestImage("tests/hello.elf"),
        MemorySize = 64UL * 1024 * 1024,
    };

    [Fact]
    public void MultibootEntryStateIsSetWithoutRunning()
    {
        using var machine = new Machine(Hello() with { CommandLine = "test=hello" });
        CpuState s = machine.Processor.State;
        Assert.Equal(MultibootLoader.BootMagic, s.Gpr[0]);
        Assert.Equal(machine.Boot!.InfoAddress, s.Gpr[3]);
        Assert.Equal(0x10_0020UL, s.Rip);
        Assert.Equal(1UL, s.Cr0 & 1); // PE
        Assert.Equal(0UL, s.Cr0 & (1UL << 31)); // PG off
        Assert.Equal(0UL, s.Rflags & ((1UL << 9) | (1UL << 17))); // IF and VM clear
        foreach (int i in new[] { SegmentIndex.Cs, SegmentIndex.Ds, SegmentIndex.Es, SegmentIndex.Ss })
        {
            SegmentRegister seg = s.Segments[i];
            Assert.Equal(0UL, seg.Base);
            Assert.Equal(0xFFFF_FFFFu, seg.Limit);
            Assert.NotEqual(0, seg.Attributes & (1 << 14)); // D/B: 32-bit
            Assert.NotEqual(0, seg.Attributes & 0x80); // present
        }

        Assert.Equal(0x9B, s.Segments[SegmentIndex.Cs].Attributes & 0xFF);
        // The kernel's command line is "path args", as QEMU builds it.
        Assert.EndsWith("hello.elf test=hello", ReadCString(machine, machine.Ram.Span(s.Gpr[3] + 16, 4)));
    }

    [Fact]
    public void DevicesAnswerOnTheirPortsAndAddresses()
    {
        using var machine = new Machine(new MachineConfiguration { MemorySize = 16UL << 20 });
        Assert.Same(machine.Serial, machine.Ports.HandlerOf(0x3F8));
        Assert.Same(machine.Pit, machine.Ports.HandlerOf(0x40));
        Assert.Same(machine.Pic, machine.Ports.HandlerOf(0xA1));
        Assert.Same(machine.Rtc, machine.Ports.HandlerOf(0x71));
        Assert.Same(machine.Keyboard, machine.Ports.HandlerOf(0x64));
        Assert.Same(machine.DebugExit, machine.Ports.HandlerOf(0xF4));
        Assert.Same(machine.Pci, machine.Ports.HandlerOf(0xCFC));
        Assert.Same(machine.Display, machine.Ports.HandlerOf(0x1CF));
        Assert.Equal(0x0005_0014UL, machine.Bus.Read(0xFEE0_0030, 4)); // LAPIC version through the bus
        machine.Bus.Write(0xFEC0_0000, 4, 1);
        Assert.Equal(0x0017_0020UL, machine.Bus.Read(0xFEC0_0010, 4)); // IOAPIC version
        machine.Bus.Write(0xFD00_0000, 4, 0x12345678); // framebuffer in BAR0
        Assert.Equal(0x78, machine.Display.VideoMemory[0]);
        Assert.Same(machine.LocalApic, machine.Processor.InterruptController);
    }

    [Fact]
    public void IsaIrqReachesTheCpuThroughThe8259AndLint0()
    {
        using var machine = new Machine(new MachineConfiguration { MemorySize = 16UL << 20 });
        machine.Ports.Out(0x20, 1, 0x11);
        machine.Ports.Out(0x21, 1, 0x20);
        machine.Ports.Out(0x21, 1, 0x04);
        machine.Ports.Out(0x21, 1, 0x01);
        machine.Ports.Out(0x21, 1, 0xEF); // only IRQ 4 (COM1)
        machine.Ports.Out(0x3F9, 1, 0x02); // THR-empty interrupt
        Assert.True(machine.LocalApic.HasPendingInterrupt);
        Assert.Equal(0x24, machine.LocalApic.Acknowledge());
        Assert.Equal(1, machine.Counters.PicInterruptsByIrq[4]);
    }

    [Fact]
    public void MissingKernelIsReported()
    {
        Assert.Throws<FileNotFoundException>(() => new Machine(new MachineConfiguration { KernelPath = "/nonexistent/kernel.elf" }));
    }

    [Fact]
    public void HelloBootsAndExitsThroughDebugExit()
    {
        using var machine = new Machine(Hello());
        RunResult result = machine.RunUntil(RunCondition.Instructions(10_000_000));
        Assert.Equal(StopCause.DebugExit, result.Cause);
        Assert.Equal(1, result.DebugExitStatus);
        Assert.Contains("TEST hello: PASS", machine.SerialTranscript);
    }

    [Fact]
    public void RunStopsWhenASerialLineMatches()
    {
        using var machine = new Machine(Hello());
        RunResult result = machine.RunUntil(RunCondition.SerialLineMatches("^TEST hello: "));
        Assert.Equal(StopCause.SerialLineMatched, result.Cause);
        Assert.Equal("TEST hello: PASS", result.MatchedLine);
    }

    [Fact]
    public void TwoDeterministicRunsGiveTheSameTranscriptAndCounters()
    {
        var transcripts = new List<string>();
        var counters = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            using var machine = new Machine(Hello() with { ClockMode = ClockMode.Deterministic });
            RunResult result = machine.RunUntil(RunCondition.Instructions(10_000_000));
            transcripts.Add(machine.SerialTranscript);
            counters.Add(result.Counters.WithoutHostTiming().ToText());
        }

        Assert.Equal(transcripts[0], transcripts[1]);
        Assert.Equal(counters[0], counters[1]);
    }

    private static string ReadCString(Machine machine, Span<byte> pointer)
    {
        uint at = BitConverter.ToUInt32(pointer);
        var sb = new System.Text.StringBuilder();
        for (; machine.Ram.Span(at, 1)[0] != 0; at++)
        {
            sb.Append((char)machine.Ram.Span(at, 1)[0]);
        }

        return sb.ToString();
    }
}
