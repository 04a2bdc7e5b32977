using Cpu.State;
using Devices.Timing;
using Emulator.Machines;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Machines;

/// <summary>HLT with interrupts enabled waits for the next device event (the PIT), then the interrupt is taken.</summary>
public class HaltTests
{
    private const ulong Code = 0x10_0000;
    private const ulong Gdt = 0x1000;
    private const ulong Idt = 0x2000;

    [Theory]
    [InlineData(ClockMode.Deterministic)]
    [InlineData(ClockMode.Realtime)]
    public void HaltWakesOnTheTimerInterrupt(ClockMode mode)
    {
        using var machine = new Machine(new MachineConfiguration { MemorySize = 16UL << 20, ClockMode = mode });
        var a = new Assembler(32);
        Label handler = a.CreateLabel();
        Label idle = a.CreateLabel();
        a.lidt(__[(uint)Idt + 0x800]);
        foreach ((ushort port, byte value) in new (ushort, byte)[] { (0x20, 0x11), (0x21, 0x20), (0x21, 0x04), (0x21, 0x01), (0x21, 0xFE), (0x43, 0x34), (0x40, 0xA9), (0x40, 0x04) })
        {
            a.mov(al, value);
            a.@out((byte)port, al);
        }

        a.sti();
        a.Label(ref idle);
        a.hlt();
        a.jmp(idle);
        a.Label(ref handler);
        a.mov(al, 0x05); // debug-exit status (5 << 1) | 1 = 11
        a.@out(0xF4, al);
        a.cli();
        a.hlt();
        using var stream = new MemoryStream();
        AssemblerResult assembled = a.Assemble(new StreamCodeWriter(stream), Code, BlockEncoderOptions.ReturnNewInstructionOffsets);
        byte[] code = stream.ToArray();
        code.CopyTo(machine.Ram.Span(Code, code.Length));
        uint handlerAddress = (uint)assembled.GetLabelRIP(handler);

        // GDT: null, null, flat code (0x10), flat data (0x18); IDT entry 0x20: 32-bit interrupt gate.
        BitConverter.GetBytes(0x00CF_9B00_0000_FFFFUL).CopyTo(machine.Ram.Span(Gdt + 16, 8));
        BitConverter.GetBytes(0x00CF_9300_0000_FFFFUL).CopyTo(machine.Ram.Span(Gdt + 24, 8));
        ulong gate = (handlerAddress & 0xFFFFUL) | (0x10UL << 16) | (0x8EUL << 40) | ((ulong)(handlerAddress >> 16) << 48);
        BitConverter.GetBytes(gate).CopyTo(machine.Ram.Span(Idt + (0x20 * 8), 8));
        BitConverter.GetBytes((ushort)0x7FF).CopyTo(machine.Ram.Span(Idt + 0x800, 2));
        BitConverter.GetBytes((uint)Idt).CopyTo(machine.Ram.Span(Idt + 0x802, 4));

        CpuState s = machine.Processor.State;
        Machine.SetMultibootEntryState(s, new Emulator.Boot.BootInfo((uint)Code, 0, (uint)Code, (uint)Code, [], (uint)Gdt));
        s.Segments[SegmentIndex.Ss].Selector = 0x18;
        s.Gpr[4] = 0x8000; // ESP

        RunResult result;
        try
        {
            result = machine.RunUntil(new RunCondition { WallTimeout = TimeSpan.FromSeconds(30) });
        }
        catch (NotImplementedException)
        {
            Assert.Skip("needs the CPU interpreter (issue 3)");
            throw;
        }

        Assert.Equal(StopCause.DebugExit, result.Cause);
        Assert.Equal(11, result.DebugExitStatus);
        Assert.Equal(1, result.Counters.PicInterruptsByIrq[0]);
        if (mode == ClockMode.Deterministic)
        {
            // In realtime mode the tick may come before the HLT; in deterministic mode it cannot.
            Assert.True(result.Counters.Halts >= 1);
            // Halting skipped virtual time to the PIT's first interrupt (1193 ticks: ~1 ms).
            Assert.True(result.Counters.HaltedNs > 900_000);
        }
    }
}
