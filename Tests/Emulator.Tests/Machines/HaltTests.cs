using Devices.Timing;
using Emulator.Machines;
using Emulator.Tests.Support;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Machines;

/// <summary>HLT with interrupts enabled waits for the next device event (the PIT), then the interrupt is taken.</summary>
public class HaltTests
{

    [Theory]
    [InlineData(ClockMode.Deterministic)]
    [InlineData(ClockMode.Realtime)]
    public void HaltWakesOnTheTimerInterrupt(ClockMode mode)
    {
        using var machine = new Machine(new MachineConfiguration { MemorySize = 16UL << 20, ClockMode = mode });
        var a = new Assembler(32);
        Label handler = a.CreateLabel();
        Label idle = a.CreateLabel();
        a.lidt(__[FlatProtectedModeGuest.IdtPointer]);
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
        FlatProtectedModeGuest.Load(machine, a, handler, 0x20);

        RunResult result = machine.RunUntil(new RunCondition { WallTimeout = TimeSpan.FromSeconds(30) });

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
