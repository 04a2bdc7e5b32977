using Devices.Timing;

namespace Devices.Tests.Support;

/// <summary>A deterministic virtual clock driven by a counter the test advances, as the CPU's instruction count would.</summary>
public sealed class FakeCpuClock
{
    public FakeCpuClock()
    {
        Clock = new VirtualClock(ClockMode.Deterministic, () => Instructions);
    }

    public long Instructions { get; set; }

    public VirtualClock Clock { get; }

    /// <summary>Advances virtual time by <paramref name="ns"/> and fires what fell due on the way, in order.</summary>
    public void Advance(long ns)
    {
        long target = Instructions + (ns / VirtualClock.NanosecondsPerInstruction);
        while (Instructions < target)
        {
            long step = Math.Min(target - Instructions, Clock.InstructionsUntilNextEvent(target - Instructions));
            Instructions += step;
            Clock.RunDue();
        }
    }
}
