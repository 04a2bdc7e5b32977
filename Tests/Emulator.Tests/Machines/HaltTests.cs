using Devices.Timing;
using Emulator.Machines;
using Emulator.Tests.Support;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Machines;

/// <summary>
/// HLT with interrupts enabled waits for the next device event (the PIT), then the interrupt is taken; with
/// interrupts disabled it halts for good (issue 14 item 8); run limits hold while halted.
/// </summary>
public class HaltTests
{
    /// <summary>An interrupt left pending (COM1's THRE interrupt enabled, or a byte sent to the keyboard), then CLI; HLT.</summary>
    [Theory]
    [InlineData(ClockMode.Deterministic, "uart")]
    [InlineData(ClockMode.Realtime, "uart")]
    [InlineData(ClockMode.Deterministic, "keyboard")]
    [InlineData(ClockMode.Realtime, "keyboard")]
    public void HltWithInterruptsOffHaltsForGoodEvenWithAnInterruptPending(ClockMode mode, string device)
    {
        using var machine = new Machine(new MachineConfiguration { MemorySize = 16UL << 20, ClockMode = mode });
        var a = new Assembler(32);
        Label handler = a.CreateLabel();
        if (device == "uart")
        {
            a.mov(edx, 0x3F9);
            a.mov(al, 2);
            a.@out(dx, al);
        }
        else
        {
            a.mov(al, 0xF4); // keyboard: enable scanning; it answers with an ACK byte and IRQ 1
            a.@out(0x60, al);
        }

        a.cli();
        a.hlt();
        a.Label(ref handler);
        a.iretd();
        FlatProtectedModeGuest.Load(machine, a, handler, 0x20);

        RunResult result = machine.RunUntil(new RunCondition { WallTimeout = TimeSpan.FromSeconds(30), MaxInstructions = 1_000_000 });

        Assert.Equal(StopCause.Halted, result.Cause);
        Assert.Equal(1, result.Counters.Halts);
        if (device == "uart")
        {
            Assert.True(machine.LocalApic.HasPendingInterrupt, "the test must leave an interrupt pending");
        }
    }

    /// <summary>HLT with interrupts on and a periodic PIT whose handler only returns: the run limits end it.</summary>
    [Theory]
    [InlineData(ClockMode.Deterministic, "instructions")]
    [InlineData(ClockMode.Deterministic, "virtual")]
    [InlineData(ClockMode.Realtime, "wall")]
    [InlineData(ClockMode.Realtime, "instructions")]
    public void RunLimitsHoldWhileTheGuestIdlesInHlt(ClockMode mode, string limit)
    {
        using var machine = new Machine(new MachineConfiguration { MemorySize = 16UL << 20, ClockMode = mode });
        LoadIdleGuestWithTimer(machine, a =>
        {
            a.mov(al, 0x20); // EOI
            a.@out(0x20, al);
            a.iretd();
        });

        RunCondition until = limit switch
        {
            "instructions" => new RunCondition { MaxInstructions = 2_000, WallTimeout = TimeSpan.FromSeconds(60) },
            "virtual" => new RunCondition { VirtualTimeout = TimeSpan.FromMilliseconds(50), WallTimeout = TimeSpan.FromSeconds(60) },
            _ => new RunCondition { WallTimeout = TimeSpan.FromMilliseconds(300) },
        };
        RunResult result = machine.RunUntil(until);

        Assert.Equal(limit == "instructions" ? StopCause.InstructionLimit : StopCause.Timeout, result.Cause);
        Assert.True(result.Counters.Halts >= 2, $"halts: {result.Counters.Halts}");
        Assert.True(result.Counters.HaltedNs > 0, "the halted time is counted");
        if (limit == "instructions")
        {
            Assert.True(result.Counters.InstructionsRetired <= 2_000, $"retired {result.Counters.InstructionsRetired}");
        }
    }

    /// <summary>A guest that starts the PIT at about 1 kHz and idles in STI; HLT; its IRQ 0 handler is <paramref name="handler"/>.</summary>
    private static void LoadIdleGuestWithTimer(Machine machine, Action<Assembler> handler)
    {
        var a = new Assembler(32);
        Label entry = a.CreateLabel();
        Label idle = a.CreateLabel();
        a.lidt(__[FlatProtectedModeGuest.IdtPointer]);
        foreach ((ushort port, byte value) in PitAt1KHz)
        {
            a.mov(al, value);
            a.@out((byte)port, al);
        }

        a.sti();
        a.Label(ref idle);
        a.hlt();
        a.jmp(idle);
        a.Label(ref entry);
        handler(a);
        FlatProtectedModeGuest.Load(machine, a, entry, 0x20);
    }

    /// <summary>ICW1-4 (vector base 0x20, IRQ 0 unmasked), then PIT channel 0 in mode 2 at 1193 ticks (about 1 kHz).</summary>
    private static readonly (ushort Port, byte Value)[] PitAt1KHz =
        [(0x20, 0x11), (0x21, 0x20), (0x21, 0x04), (0x21, 0x01), (0x21, 0xFE), (0x43, 0x34), (0x40, 0xA9), (0x40, 0x04)];

    [Theory]
    [InlineData(ClockMode.Deterministic)]
    [InlineData(ClockMode.Realtime)]
    public void HaltWakesOnTheTimerInterrupt(ClockMode mode)
    {
        using var machine = new Machine(new MachineConfiguration { MemorySize = 16UL << 20, ClockMode = mode });
        LoadIdleGuestWithTimer(machine, a =>
        {
            a.mov(al, 0x05); // debug-exit status (5 << 1) | 1 = 11
            a.@out(0xF4, al);
            a.cli();
            a.hlt();
        });

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
