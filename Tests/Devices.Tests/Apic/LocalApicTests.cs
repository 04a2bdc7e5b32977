using Devices.Apic;
using Devices.Pic;
using Devices.Tests.Support;

namespace Devices.Tests.Apic;

public class LocalApicTests
{
    private static (LocalApic Apic, FakeCpuClock Cpu) Enabled()
    {
        var cpu = new FakeCpuClock();
        var apic = new LocalApic(cpu.Clock);
        apic.Write(0xF0, 4, 0x1FF); // SVR: software enable, spurious vector 0xFF
        return (apic, cpu);
    }

    [Fact]
    public void ResetStateMatchesTheSdm()
    {
        var apic = new LocalApic(new FakeCpuClock().Clock);
        Assert.Equal(LocalApic.Version, (uint)apic.Read(0x30, 4));
        Assert.Equal(0xFFu, (uint)apic.Read(0xF0, 4));
        Assert.Equal(0xFFFF_FFFFu, (uint)apic.Read(0xE0, 4));
        Assert.Equal(0x10000u, (uint)apic.Read(0x320, 4)); // timer masked
        Assert.Equal(0x700u, (uint)apic.Read(0x350, 4)); // LINT0 ExtINT, as the BIOS leaves it
        Assert.False(apic.HasPendingInterrupt);
    }

    [Fact]
    public void PeriodicTimerFiresOnTheVirtualClock()
    {
        (LocalApic apic, FakeCpuClock cpu) = Enabled();
        apic.Write(0x3E0, 4, 0x3); // divide by 16
        apic.Write(0x320, 4, 0x20000 | 0x40); // periodic, vector 0x40
        apic.Write(0x380, 4, 1000); // 16 us
        cpu.Advance(8_000);
        Assert.InRange((uint)apic.Read(0x390, 4), 499u, 501u);
        Assert.False(apic.HasPendingInterrupt);
        for (int i = 0; i < 3; i++)
        {
            cpu.Advance(16_000);
            Assert.True(apic.HasPendingInterrupt);
            Assert.Equal(0x40, apic.Acknowledge());
            apic.Write(0xB0, 4, 0); // EOI
        }

        Assert.Equal(3, apic.TimerInterrupts);
    }

    [Fact]
    public void OneShotTimerFiresOnceAndStopsAtZero()
    {
        (LocalApic apic, FakeCpuClock cpu) = Enabled();
        apic.Write(0x3E0, 4, 0xB); // divide by 1
        apic.Write(0x320, 4, 0x41);
        apic.Write(0x380, 4, 5000);
        cpu.Advance(20_000);
        Assert.Equal(0u, (uint)apic.Read(0x390, 4));
        Assert.Equal(0x41, apic.Acknowledge());
        Assert.Equal(1, apic.TimerInterrupts);
    }

    [Fact]
    public void OneShotTimerWhoseCountRanOutWhileItWasWrittenStillFires()
    {
        // The realtime clock moves between any two reads: here every read of the time advances it 10 ns,
        // so a one-shot of 1 ns has run out before the write that starts it returns. It must still interrupt
        // (a tickless guest halts waiting for it).
        long now = 0;
        var clock = new Devices.Timing.VirtualClock(Devices.Timing.ClockMode.Deterministic, () => now += 10);
        var apic = new LocalApic(clock);
        apic.Write(0xF0, 4, 0x1FF);
        apic.Write(0x3E0, 4, 0xB); // divide by 1
        apic.Write(0x320, 4, 0x43); // one-shot, vector 0x43
        apic.Write(0x380, 4, 1);
        clock.RunDue();
        Assert.True(apic.HasPendingInterrupt);
        Assert.Equal(0x43, apic.Acknowledge());
        Assert.Equal(1, apic.TimerInterrupts);
    }

    [Fact]
    public void PeriodicTimerRestartedAfterAOneShotKeepsFiring()
    {
        // A tickless kernel's pattern: one shot while idle, then back to the periodic tick.
        (LocalApic apic, FakeCpuClock cpu) = Enabled();
        apic.Write(0x3E0, 4, 0x3); // divide by 16
        apic.Write(0x320, 4, 0x38); // one-shot
        apic.Write(0x380, 4, 1000);
        cpu.Advance(20_000);
        Assert.Equal(0x38, apic.Acknowledge());
        apic.Write(0xB0, 4, 0);
        apic.Write(0x320, 4, 0x20000 | 0x38); // periodic
        apic.Write(0x380, 4, 1000); // 16 us
        for (int i = 0; i < 3; i++)
        {
            cpu.Advance(16_000);
            Assert.True(apic.HasPendingInterrupt, $"period {i}");
            Assert.Equal(0x38, apic.Acknowledge());
            apic.Write(0xB0, 4, 0);
        }

        Assert.Equal(4, apic.TimerInterrupts);
    }

    [Fact]
    public void TscDeadlineModeFiresAtTheDeadline()
    {
        (LocalApic apic, FakeCpuClock cpu) = Enabled();
        apic.Write(0x320, 4, 0x40000 | 0x42); // TSC-deadline
        apic.WriteTscDeadline(cpu.Clock.ReadTsc() + 50_000);
        cpu.Advance(49_000);
        Assert.False(apic.HasPendingInterrupt);
        cpu.Advance(2_000);
        Assert.True(apic.HasPendingInterrupt);
        Assert.Equal(0UL, apic.ReadTscDeadline());
        Assert.Equal(0x42, apic.Acknowledge());
    }

    [Fact]
    public void TaskPriorityHoldsBackLowerClassesAndEoiClearsIsr()
    {
        (LocalApic apic, FakeCpuClock _) = Enabled();
        apic.TaskPriority = 5; // CR8 = 5 blocks vectors 0x00-0x5F
        apic.AcceptInterrupt(0x55, levelTriggered: false);
        Assert.False(apic.HasPendingInterrupt);
        Assert.Equal(0x50u, (uint)apic.Read(0x80, 4));
        apic.AcceptInterrupt(0x70, levelTriggered: false);
        Assert.Equal(0x70, apic.Acknowledge());
        Assert.Equal(0x70u, (uint)apic.Read(0xA0, 4)); // PPR follows the in-service vector
        Assert.Equal(1u << 16, (uint)apic.Read(0x130, 4)); // ISR bits 96-127: vector 0x70 is bit 16
        apic.Write(0xB0, 4, 0);
        Assert.Equal(0u, (uint)apic.Read(0x130, 4));
        apic.TaskPriority = 0;
        Assert.Equal(0x55, apic.Acknowledge());
    }

    [Fact]
    public void SelfIpiIsDelivered()
    {
        (LocalApic apic, FakeCpuClock _) = Enabled();
        apic.Write(0x300, 4, (1u << 18) | 0x99); // shorthand self, fixed, vector 0x99
        Assert.Equal(0x99, apic.Acknowledge());
        Assert.Equal(0u, (uint)apic.Read(0x300, 4) & (1u << 12)); // delivery status idle
    }

    [Fact]
    public void IllegalVectorSetsEsrAfterWrite()
    {
        (LocalApic apic, FakeCpuClock _) = Enabled();
        apic.Write(0x300, 4, (1u << 18) | 0x05);
        apic.Write(0x280, 4, 0);
        Assert.Equal(0x20u, (uint)apic.Read(0x280, 4)); // send illegal vector
    }

    [Fact]
    public void ExtIntFromThe8259ComesThroughLint0()
    {
        var cpu = new FakeCpuClock();
        var apic = new LocalApic(cpu.Clock);
        var pic = new PicPair();
        apic.ConnectExtInt(pic);
        pic.Master.Write(0, 0x11);
        pic.Master.Write(1, 0x20);
        pic.Master.Write(1, 0x04);
        pic.Master.Write(1, 0x01);
        pic.Line(0).Set(true);
        Assert.True(apic.HasPendingInterrupt);
        Assert.Equal(0x20, apic.Acknowledge());

        apic.Write(0x350, 4, 0x10700); // mask LINT0
        pic.Line(3).Set(true);
        Assert.False(apic.HasPendingInterrupt);
    }

    [Fact]
    public void NmiDeliveryModeGoesToTheNmiInputNotToIrr()
    {
        (LocalApic apic, FakeCpuClock _) = Enabled();
        int nmis = 0;
        apic.NonMaskableInterrupt += () => nmis++;
        apic.Write(0x300, 4, (1u << 18) | (4u << 8) | (1u << 14)); // self, NMI
        apic.Write(0x300, 4, (3u << 18) | (4u << 8) | (1u << 14)); // all excluding self: nobody
        Assert.Equal(1, nmis);
        Assert.False(apic.HasPendingInterrupt);
    }

    [Fact]
    public void ClearingTheGlobalEnableUnclaimsThePageAndResetsTheRegisters()
    {
        (LocalApic apic, FakeCpuClock _) = Enabled();
        ulong enabled = apic.ApicBaseMsr;
        Assert.True(apic.TryWriteMsr(0x1B, enabled & ~LocalApic.BaseEnable));
        Assert.False(apic.GloballyEnabled);
        Assert.Equal(0xFFFF_FFFFu, (uint)apic.Read(0x30, 4));
        apic.Write(0xF0, 4, 0x1FF);
        Assert.True(apic.TryWriteMsr(0x1B, enabled));
        Assert.Equal(0xFFu, (uint)apic.Read(0xF0, 4)); // software disabled, as after reset
        Assert.Equal(LocalApic.Version, (uint)apic.Read(0x30, 4));
    }

    [Fact]
    public void X2ApicTransitionsAndMsrRulesFollowTheSdm()
    {
        (LocalApic apic, FakeCpuClock _) = Enabled();
        ulong xapic = apic.ApicBaseMsr;
        Assert.False(apic.TryReadMsr(0x803, out _)); // not in x2APIC mode yet
        Assert.False(apic.TryWriteMsr(0x1B, (xapic & ~LocalApic.BaseEnable) | LocalApic.BaseExtd));
        Assert.True(apic.TryWriteMsr(0x1B, xapic | LocalApic.BaseExtd));
        Assert.False(apic.TryWriteMsr(0x1B, xapic)); // x2APIC to xAPIC
        Assert.Equal(0xFFFF_FFFFu, (uint)apic.Read(0x30, 4)); // the page is not claimed
        Assert.True(apic.TryReadMsr(0x803, out ulong version));
        Assert.Equal(LocalApic.Version, (uint)version);
        Assert.False(apic.TryWriteMsr(0x802, 0)); // ID is read-only
        Assert.False(apic.TryReadMsr(0x80B, out _)); // EOI is write-only
        Assert.False(apic.TryWriteMsr(0x80B, 1));
        Assert.True(apic.TryWriteMsr(0x80F, 0x1FF));
        Assert.True(apic.TryWriteMsr(0x83F, 0x77)); // SELF IPI
        Assert.Equal(0x77, apic.Acknowledge());
        Assert.True(apic.TryWriteMsr(0x80B, 0)); // EOI
        Assert.True(apic.TryWriteMsr(0x830, 0x78)); // ICR, destination 0 in bits 63:32
        Assert.Equal(0x78, apic.Acknowledge());
    }
}
