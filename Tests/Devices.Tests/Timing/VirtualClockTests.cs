using Devices.Tests.Support;
using Devices.Timing;

namespace Devices.Tests.Timing;

public class VirtualClockTests
{
    [Fact]
    public void DeterministicTimeFollowsInstructionsRetired()
    {
        var cpu = new FakeCpuClock { Instructions = 5000 };
        Assert.Equal(5000 * VirtualClock.NanosecondsPerInstruction, cpu.Clock.NowNs);
        Assert.Equal((ulong)cpu.Clock.NowNs, cpu.Clock.ReadTsc());
    }

    [Fact]
    public void TimersFireInDeadlineOrderAndSizeTheBudget()
    {
        var cpu = new FakeCpuClock();
        var fired = new List<string>();
        ClockTimer a = cpu.Clock.CreateTimer("a", _ => fired.Add("a"));
        ClockTimer b = cpu.Clock.CreateTimer("b", _ => fired.Add("b"));
        a.Arm(3000);
        b.Arm(1000);
        Assert.Equal(1000 / VirtualClock.NanosecondsPerInstruction, cpu.Clock.InstructionsUntilNextEvent(1_000_000));
        cpu.Instructions = 5000;
        Assert.Equal(2, cpu.Clock.RunDue());
        Assert.Equal(["b", "a"], fired);
        Assert.Null(cpu.Clock.NextDeadline);
        Assert.Equal(777, cpu.Clock.InstructionsUntilNextEvent(777));
    }

    [Fact]
    public void ARealtimeSliceIsNeverShorterThanTheMinimum()
    {
        // A timer due now, and a speed estimate that says each instruction takes long: the slice still runs
        // RealtimeMinimumSlice instructions (a slice of one would cost more in the run loop than it runs).
        var clock = new VirtualClock(ClockMode.Realtime, () => 0);
        clock.CreateTimer("t", _ => { }).Arm(clock.NowNs + 1_000);
        clock.NoteRealtimeRun(10_000, 100_000_000);
        Assert.Equal(VirtualClock.RealtimeMinimumSlice, clock.InstructionsUntilNextEvent(1_000_000));
        Assert.Equal(10, clock.InstructionsUntilNextEvent(10)); // the caller's cap still rules
    }

    [Fact]
    public void AShortRealtimeWaitIsSpunUntilItsDeadlineAndCountsAsHalted()
    {
        // A wait below RealtimeSpinWaitNs (a disk's completion) busy-waits instead of sleeping: it must still
        // not return before the event is due, and the time is the guest's halted time.
        var clock = new VirtualClock(ClockMode.Realtime, () => 0);
        ClockTimer t = clock.CreateTimer("t", _ => { });
        long deadline = clock.NowNs + (VirtualClock.RealtimeSpinWaitNs / 2);
        t.Arm(deadline);
        Assert.True(clock.WaitForNextEvent(hostInputPossible: false, TimeSpan.FromSeconds(1)));
        Assert.True(clock.NowNs >= deadline);
        Assert.True(clock.HaltedNs > 0);
        Assert.Equal(1, clock.RunDue());
        Assert.False(clock.WaitForNextEvent(hostInputPossible: false, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void HaltSkipsVirtualTimeToTheNextEventInDeterministicMode()
    {
        var cpu = new FakeCpuClock();
        ClockTimer t = cpu.Clock.CreateTimer("t", _ => { });
        t.Arm(1_000_000);
        Assert.True(cpu.Clock.WaitForNextEvent(hostInputPossible: false, TimeSpan.FromSeconds(1)));
        Assert.Equal(1_000_000, cpu.Clock.NowNs);
        Assert.Equal(1, cpu.Clock.RunDue());
        Assert.False(cpu.Clock.WaitForNextEvent(hostInputPossible: false, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void TscWriteOffsetsTheCounter()
    {
        var cpu = new FakeCpuClock { Instructions = 100 };
        cpu.Clock.WriteTsc(1_000_000);
        cpu.Instructions = 200;
        Assert.Equal(1_000_000UL + (100 * VirtualClock.NanosecondsPerInstruction), cpu.Clock.ReadTsc());
    }
}
