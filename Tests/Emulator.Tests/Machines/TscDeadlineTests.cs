using Devices.Timing;
using Emulator.Machines;
using Emulator.Tests.Support;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Machines;

/// <summary>
/// The local APIC's TSC-deadline mode reached the way a kernel reaches it: CPUID.1:ECX[24] says it
/// exists, the LVT timer is put in mode 10b, WRMSR IA32_TSC_DEADLINE (6E0H) arms it, the interrupt
/// comes once the TSC passes the deadline, and the MSR then reads 0 (SDM Vol. 3A, 10.5.4.1).
/// </summary>
public class TscDeadlineTests
{
    private const uint Lapic = 0xFEE0_0000;

    [Fact]
    public void WrmsrTscDeadlineFiresTheLapicTimer()
    {
        using var machine = new Machine(new MachineConfiguration { MemorySize = 16UL << 20, ClockMode = ClockMode.Deterministic });
        var a = new Assembler(32);
        Label handler = a.CreateLabel();
        Label idle = a.CreateLabel();
        Label noFeature = a.CreateLabel();
        Label notCleared = a.CreateLabel();
        a.lidt(__[FlatProtectedModeGuest.IdtPointer]);
        a.mov(eax, 1);
        a.cpuid();
        a.bt(ecx, 24);
        a.jnc(noFeature);
        a.mov(__dword_ptr[Lapic + 0xF0], 0x1FF);                 // SVR: software enable, spurious vector FFh
        a.mov(__dword_ptr[Lapic + 0x320], 0x40 | (2 << 17));     // LVT timer: vector 40h, TSC-deadline mode
        a.rdtsc();
        a.add(eax, 100_000);
        a.adc(edx, 0);
        a.mov(ecx, 0x6E0);
        a.wrmsr();
        a.rdmsr();                                               // armed: reads back non-zero
        a.or(eax, edx);
        a.jz(notCleared);
        a.sti();
        a.Label(ref idle);
        a.hlt();
        a.jmp(idle);
        a.Label(ref handler);
        a.mov(ecx, 0x6E0);
        a.rdmsr();
        a.or(eax, edx);
        a.jnz(notCleared);
        a.mov(al, 0x05);                                         // status (5 << 1) | 1 = 11: fired and cleared
        a.@out(0xF4, al);
        a.Label(ref noFeature);
        a.mov(al, 0x06);
        a.@out(0xF4, al);
        a.Label(ref notCleared);
        a.mov(al, 0x07);
        a.@out(0xF4, al);
        FlatProtectedModeGuest.Load(machine, a, handler, 0x40);

        RunResult result = machine.RunUntil(new RunCondition { WallTimeout = TimeSpan.FromSeconds(30) });

        Assert.Equal(StopCause.DebugExit, result.Cause);
        Assert.Equal(11, result.DebugExitStatus);
        Assert.True(result.Counters.LapicTimerInterrupts >= 1);
    }
}
