using System.Numerics;
using Devices.Interrupts;
using Devices.Timing;
using Mmu.Interrupts;
using Mmu.Io;

namespace Devices.Apic;

/// <summary>
/// The local APIC of the one processor (Intel SDM Vol. 3A, chapter 11): xAPIC mode at 0xFEE00000 and
/// x2APIC mode through MSRs 800H-8FFH (<c>LocalApic.Msrs.cs</c>), globally disabled by IA32_APIC_BASE.EN;
/// ID, version, TPR/PPR, EOI (with broadcast to the IOAPIC for level-triggered vectors), LDR/DFR, SVR,
/// ISR/TMR/IRR, ESR with the error LVT, the ICR's delivery modes to this processor (<c>LocalApic.Ipi.cs</c>),
/// and the LVT: timer (one-shot, periodic, TSC-deadline: <c>LocalApic.Timer.cs</c>), LINT0 (ExtINT from
/// the 8259 pair, set at reset as a PC BIOS and QEMU leave it), LINT1 and error. It is what the CPU asks
/// for interrupts (<see cref="IInterruptController"/>). The timer counts at 1 GHz divided by the divide
/// configuration, as on QEMU.
/// </summary>
public sealed partial class LocalApic : IMmioDevice, IInterruptController, IApicMsrs
{
    public const ulong DefaultBase = 0xFEE0_0000;
    public const uint Version = 0x0005_0014; // version 0x14, six LVT entries (max LVT index 5)
    public const long BusHz = 1_000_000_000;

    /// <summary>IA32_APIC_BASE: BSP (bit 8), x2APIC enable EXTD (bit 10), global enable EN (bit 11) (SDM 11.4.4).</summary>
    public const ulong BaseBsp = 1UL << 8;
    public const ulong BaseExtd = 1UL << 10;
    public const ulong BaseEnable = 1UL << 11;

    private const uint LvtMasked = 1u << 16;
    private const int LvtTimer = 0;
    private const int LvtThermal = 1;
    private const int LvtPerf = 2;
    private const int LvtLint0 = 3;
    private const int LvtLint1 = 4;
    private const int LvtError = 5;
    private const int LvtCmci = 6;

    /// <summary>ESR bits (SDM 11.5.3).</summary>
    private const uint EsrSendIllegalVector = 1u << 5;
    private const uint EsrReceiveIllegalVector = 1u << 6;
    private const uint EsrIllegalRegister = 1u << 7;

    private readonly ulong[] irr = new ulong[4];
    private readonly ulong[] isr = new ulong[4];
    private readonly ulong[] tmr = new ulong[4];
    private readonly uint[] lvt = new uint[7];
    private readonly VirtualClock clock;
    private readonly ClockTimer timer;
    private readonly uint initialId;
    private IExternalInterruptSource? extInt;
    private ulong apicBase;
    private uint id;
    private uint tpr;
    private uint ldr;
    private uint dfr;
    private uint svr;
    private uint esr;
    private uint pendingErrors;
    private uint icrLow;
    private uint icrHigh;
    private uint divideConfig;
    private uint initialCount;
    private long timerStartNs;
    private ulong tscDeadline;

    public LocalApic(VirtualClock clock, uint apicId = 0)
    {
        this.clock = clock;
        initialId = apicId;
        timer = clock.CreateTimer("lapic-timer", OnTimer);
        Reset();
    }

    /// <summary>Raised on EOI of a level-triggered vector: the IOAPIC clears its remote IRR (Intel SDM 11.8.5).</summary>
    public event Action<int>? EndOfInterruptBroadcast;

    /// <summary>The processor's NMI input: an IPI in NMI delivery mode, or LINT1/LINT0 programmed as NMI.</summary>
    public event Action? NonMaskableInterrupt;

    /// <summary>IA32_APIC_BASE (MSR 1BH) as WRMSR left it. Relocation is stored but the MMIO page stays at <see cref="DefaultBase"/>.</summary>
    public ulong ApicBaseMsr => apicBase;

    public bool GloballyEnabled => (apicBase & BaseEnable) != 0;

    /// <summary>x2APIC mode: the registers are MSRs and the MMIO page is not claimed (SDM 11.12.1).</summary>
    public bool X2ApicMode => (apicBase & BaseExtd) != 0;

    public bool SoftwareEnabled => (svr & 0x100) != 0;

    public uint Id => id >> 24;

    /// <summary>Interrupts the CPU acknowledged through this APIC (its own vectors and ExtINT).</summary>
    public long Acknowledged { get; private set; }

    /// <summary>Timer interrupts raised (one-shot, periodic or TSC-deadline).</summary>
    public long TimerInterrupts { get; private set; }

    /// <summary>Inter-processor interrupts sent (to itself).</summary>
    public long IpisSent { get; private set; }

    /// <summary>The processor's TSC (what RDTSC returns), for TSC-deadline mode; the virtual clock's TSC by default.</summary>
    public Func<ulong>? TscSource { get; set; }

    /// <summary>The 8259 pair behind LINT0.</summary>
    public void ConnectExtInt(IExternalInterruptSource source) => extInt = source;

    public void Register(Mmu.Physical.PhysicalBus bus) => bus.RegisterMmio(DefaultBase, 0x1000, this);

    /// <summary>Power-up or RESET: xAPIC mode, globally enabled, software disabled (SDM 11.4.7.1).</summary>
    public void Reset()
    {
        ResetRegisters();
        apicBase = DefaultBase | BaseEnable | BaseBsp;
    }

    /// <summary>The register state of power-up; also what clearing IA32_APIC_BASE.EN leaves (SDM 11.4.3: "may return to the state ... after power-up").</summary>
    private void ResetRegisters()
    {
        Array.Clear(irr);
        Array.Clear(isr);
        Array.Clear(tmr);
        for (int i = 0; i < lvt.Length; i++)
        {
            lvt[i] = LvtMasked;
        }

        // A PC BIOS leaves LINT0 in ExtINT mode and LINT1 as NMI so the 8259 works with the APIC untouched.
        lvt[LvtLint0] = 0x700;
        lvt[LvtLint1] = 0x400;
        id = initialId << 24;
        tpr = 0;
        ldr = 0;
        dfr = 0xFFFF_FFFF;
        svr = 0xFF;
        esr = 0;
        pendingErrors = 0;
        icrLow = 0;
        icrHigh = 0;
        divideConfig = 0;
        initialCount = 0;
        tscDeadline = 0;
        timer.Disarm();
    }

    // ---- what the CPU asks (IInterruptController) ----

    public bool HasPendingInterrupt
    {
        get
        {
            if (GloballyEnabled && HighestDeliverable() >= 0)
            {
                return true;
            }

            return ExtIntPending;
        }
    }

    public int Acknowledge()
    {
        Acknowledged++;
        if (GloballyEnabled)
        {
            int v = HighestDeliverable();
            if (v >= 0)
            {
                Clear(irr, v);
                Set(isr, v);
                return v;
            }
        }

        if (ExtIntPending)
        {
            return extInt!.AcknowledgeInterrupt();
        }

        // The request went away between the check and the INTA cycle: the spurious vector (SDM 11.9).
        return (int)(svr & 0xFF);
    }

    public ulong TaskPriority
    {
        get => (tpr >> 4) & 0xF;
        set => tpr = (uint)((value & 0xF) << 4);
    }

    // ---- inputs from devices ----

    /// <summary>Accepts a fixed interrupt (from the IOAPIC, an LVT or an IPI) into IRR; TMR records level triggering.</summary>
    public void AcceptInterrupt(int vector, bool levelTriggered)
    {
        if (!GloballyEnabled)
        {
            return;
        }

        if (vector < 16)
        {
            // Vectors 0-15 are reserved: the APIC reports them instead of delivering (SDM 11.5.2, 11.5.3).
            RaiseError(EsrReceiveIllegalVector);
            return;
        }

        Set(irr, vector);
        if (levelTriggered)
        {
            Set(tmr, vector);
        }
        else
        {
            Clear(tmr, vector);
        }
    }

    /// <summary>Whether an 8-bit destination in the given mode (an IOAPIC message, an xAPIC ICR) reaches this APIC (Intel SDM 11.6.2).</summary>
    public bool MatchesDestination(uint destination, bool logical)
    {
        destination &= 0xFF;
        if (X2ApicMode)
        {
            // An 8-bit destination seen by an x2APIC: 0xFF still broadcasts (SDM 11.12.9).
            return destination == 0xFF || MatchesX2ApicDestination(destination, logical);
        }

        if (!logical)
        {
            return destination == 0xFF || destination == Id;
        }

        uint logicalId = ldr >> 24;
        if (destination == 0xFF)
        {
            return true;
        }

        if ((dfr >> 28) == 0xF)
        {
            return (logicalId & destination) != 0;
        }

        // Cluster model: high nibble the cluster, low nibble a member bitmap.
        return (logicalId >> 4) == (destination >> 4) && (logicalId & destination & 0xF) != 0;
    }

    private bool ExtIntPending =>
        extInt is not null
        && (!GloballyEnabled || ((lvt[LvtLint0] & LvtMasked) == 0 && ((lvt[LvtLint0] >> 8) & 7) == 7))
        && extInt.HasInterrupt;

    private uint ProcessorPriority
    {
        get
        {
            int isrv = Highest(isr);
            uint isrClass = isrv < 0 ? 0 : (uint)isrv & 0xF0;
            return (tpr & 0xF0) >= isrClass ? tpr & 0xFF : isrClass;
        }
    }

    // ---- 256-bit registers ----

    private int HighestDeliverable()
    {
        if (!SoftwareEnabled)
        {
            // A software-disabled APIC holds what is in IRR until it is enabled again (SDM 11.4.7.2).
            return -1;
        }

        int v = Highest(irr);
        if (v < 0)
        {
            return -1;
        }

        return (uint)(v & 0xF0) > (ProcessorPriority & 0xF0) ? v : -1;
    }

    private static int Highest(ulong[] bits)
    {
        for (int i = 3; i >= 0; i--)
        {
            if (bits[i] != 0)
            {
                return (i * 64) + 63 - BitOperations.LeadingZeroCount(bits[i]);
            }
        }

        return -1;
    }

    private static void Set(ulong[] bits, int v) => bits[v >> 6] |= 1UL << (v & 63);

    private static void Clear(ulong[] bits, int v) => bits[v >> 6] &= ~(1UL << (v & 63));

    private static bool IsSet(ulong[] bits, int v) => (bits[v >> 6] & (1UL << (v & 63))) != 0;

    private static uint Word(ulong[] bits, int index) => (uint)(bits[index >> 1] >> ((index & 1) * 32));
}
