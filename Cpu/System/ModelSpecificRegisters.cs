using Cpu.Execution;
using Cpu.State;

namespace Cpu.System;

/// <summary>
/// The MSR file of issue 3 with the checks of WRMSR (Intel SDM Vol. 4 and WRMSR): reserved bits and
/// non-canonical addresses raise #GP(0), unknown indices raise #GP(0). EFER and the FS/GS bases live
/// in <see cref="CpuState"/>; the rest here.
/// </summary>
public sealed class ModelSpecificRegisters
{
    /// <summary>Fixed-function counters are 48 bits wide (CPUID leaf 0Ah EDX).</summary>
    public const int CounterWidth = 48;

    private const ulong CounterMask = (1UL << CounterWidth) - 1;

    /// <summary>IA32_PERF_GLOBAL_CTRL bit 32 enables fixed counter 0.</summary>
    private const ulong GlobalEnableFixed0 = 1UL << 32;

    private long lastSyncRetired;

    public ulong Star;
    public ulong Lstar;
    public ulong Cstar;
    public ulong Fmask;
    public ulong KernelGsBase;
    public ulong TscAux;

    /// <summary>IA32_SYSENTER_CS, _ESP and _EIP: where SYSENTER enters the kernel and SYSEXIT's selectors come from.</summary>
    public ulong SysenterCs;
    public ulong SysenterEsp;
    public ulong SysenterEip;

    /// <summary>The power-up PAT (SDM 11.12.4).</summary>
    public ulong Pat = 0x0007_0406_0007_0406;

    /// <summary>Fast strings enabled; BTS and PEBS unavailable.</summary>
    public ulong MiscEnable = 1 | (1 << 11) | (1 << 12);

    /// <summary>The LAPIC at 0xFEE00000, globally enabled, this is the bootstrap processor.</summary>
    public ulong ApicBase = 0xFEE0_0000 | (1 << 11) | (1 << 8);

    /// <summary>Added to the time source to give the TSC (WRMSR to the TSC or to IA32_TSC_ADJUST moves it).</summary>
    public ulong TscOffset;

    /// <summary>
    /// IA32_TSC_ADJUST (SDM Vol. 3B, "Time-Stamp Counter Adjustment"): a write to the TSC adds the change of the TSC to it, and a write
    /// to it adds its own change to the TSC. Zero at reset.
    /// </summary>
    public ulong TscAdjust;

    /// <summary>IA32_FIXED_CTR0: instructions retired while enabled (brought up to date by <see cref="SyncCounters"/>).</summary>
    public ulong FixedCounter0;

    /// <summary>IA32_FIXED_CTR_CTRL: bits 1:0 of fixed counter 0 count at CPL 0 (bit 0) and CPL &gt; 0 (bit 1).</summary>
    public ulong FixedCounterControl;

    /// <summary>IA32_PERF_GLOBAL_CTRL.</summary>
    public ulong PerfGlobalControl;

    /// <summary>The value RDTSC returns now.</summary>
    public ulong ReadTsc(Processor cpu) =>
        (cpu.SystemRegisters.TimeSource is { } source ? source() : (ulong)cpu.InstructionsRetired) + TscOffset;

    /// <summary>
    /// Adds the instructions retired since the last call to fixed counter 0 if it counts at the current
    /// privilege level. Called before the CPL or the counter controls change and before the counter is read.
    /// </summary>
    public void SyncCounters(Processor cpu)
    {
        long now = cpu.InstructionsRetired;
        long delta = now - lastSyncRetired;
        lastSyncRetired = now;
        if (delta <= 0 || (PerfGlobalControl & GlobalEnableFixed0) == 0)
        {
            return;
        }

        ulong ringBit = cpu.State.Cpl == 0 ? 1UL : 2UL;
        if ((FixedCounterControl & ringBit) != 0)
        {
            FixedCounter0 = (FixedCounter0 + (ulong)delta) & CounterMask;
        }
    }

    /// <summary>RDMSR: the value of MSR <paramref name="index"/>, or #GP(0).</summary>
    public ulong Read(Processor cpu, uint index)
    {
        CpuState s = cpu.State;
        switch (index)
        {
            case MsrIndex.Tsc: return ReadTsc(cpu);
            case MsrIndex.TscAdjust: return TscAdjust;
            case MsrIndex.ApicBase or MsrIndex.TscDeadline or (>= MsrIndex.X2ApicFirst and <= MsrIndex.X2ApicLast) when cpu.SystemRegisters.Apic is { } apic:
                return apic.TryReadMsr(index, out ulong apicValue) ? apicValue : throw CpuException.GeneralProtection(0);
            case MsrIndex.ApicBase: return ApicBase;
            case MsrIndex.BiosSignId: return 0; // no microcode update loaded: the signature (bits 63:32) is 0
            case MsrIndex.MiscEnable: return MiscEnable;
            case MsrIndex.Pkrs when Has(cpu, CpuFeatures.Pks): return cpu.Memory.Pkrs;
            case MsrIndex.SysenterCs: return SysenterCs;
            case MsrIndex.SysenterEsp: return SysenterEsp;
            case MsrIndex.SysenterEip: return SysenterEip;
            case MsrIndex.Pat when Has(cpu, CpuFeatures.Pat): return Pat;
            case MsrIndex.FixedCounter0:
                SyncCounters(cpu);
                return FixedCounter0;
            case MsrIndex.FixedCounterControl: return FixedCounterControl;
            case MsrIndex.PerfGlobalStatus: return 0;
            case MsrIndex.PerfGlobalControl: return PerfGlobalControl;
            case MsrIndex.PerfGlobalOverflowControl: return 0;
            case MsrIndex.Efer: return s.Efer;
            case MsrIndex.Star: return Star;
            case MsrIndex.Lstar: return Lstar;
            case MsrIndex.Cstar: return Cstar;
            case MsrIndex.Fmask: return Fmask;
            case MsrIndex.FsBase: return s.Segments[SegmentIndex.Fs].Base;
            case MsrIndex.GsBase: return s.Segments[SegmentIndex.Gs].Base;
            case MsrIndex.KernelGsBase: return KernelGsBase;
            case MsrIndex.TscAux: return TscAux;
            default: throw CpuException.GeneralProtection(0);
        }
    }

    /// <summary>WRMSR: checks <paramref name="value"/> and writes MSR <paramref name="index"/>, or raises #GP(0) changing nothing.</summary>
    public void Write(Processor cpu, uint index, ulong value)
    {
        CpuState s = cpu.State;
        switch (index)
        {
            case MsrIndex.Tsc:
                {
                    ulong change = value - ReadTsc(cpu);
                    TscOffset += change;
                    TscAdjust += change;
                    break;
                }

            case MsrIndex.TscAdjust:
                TscOffset += value - TscAdjust;
                TscAdjust = value;
                break;
            case MsrIndex.ApicBase or MsrIndex.TscDeadline or (>= MsrIndex.X2ApicFirst and <= MsrIndex.X2ApicLast) when cpu.SystemRegisters.Apic is { } apic:
                // The APIC base may not reach beyond MAXPHYADDR; the APIC checks the rest.
                Require((index != MsrIndex.ApicBase || value >> CpuIdentification.PhysicalAddressBits == 0) && apic.TryWriteMsr(index, value));
                break;
            case MsrIndex.ApicBase:
                // Without an APIC: bits 0-7, 9 and 10 are reserved, as is anything beyond MAXPHYADDR.
                Require((value & 0x6FF) == 0 && value >> CpuIdentification.PhysicalAddressBits == 0);
                ApicBase = value;
                break;
            case MsrIndex.MiscEnable:
                MiscEnable = value;
                break;
            case MsrIndex.Pkrs when Has(cpu, CpuFeatures.Pks):
                Require(value >> 32 == 0);
                cpu.Memory.SetPkrs((uint)value);
                break;
            case MsrIndex.BiosSignId:
                break;
            case MsrIndex.SysenterCs:
                SysenterCs = value & 0xFFFF_FFFF;
                break;
            case MsrIndex.SysenterEsp:
                Require(ProcessorMode.IsCanonical(value)); // an address: canonical on an Intel 64 processor (SDM WRMSR)
                SysenterEsp = value;
                break;
            case MsrIndex.SysenterEip:
                Require(ProcessorMode.IsCanonical(value));
                SysenterEip = value;
                break; // software writes 0 before CPUID to read the signature (SDM Vol. 3A section 10.11.7.1)
            case MsrIndex.Pat when Has(cpu, CpuFeatures.Pat):
                Require(IsValidPat(value));
                Pat = value;
                break;
            case MsrIndex.FixedCounter0:
                SyncCounters(cpu);
                Require(value >> CounterWidth == 0);
                FixedCounter0 = value;
                break;
            case MsrIndex.FixedCounterControl:
                // Fixed counter 0 has bits 0-3 (OS, USR, AnyThread, PMI); only one counter exists.
                Require((value & ~0xFUL) == 0);
                SyncCounters(cpu);
                FixedCounterControl = value;
                break;
            case MsrIndex.PerfGlobalControl:
                Require((value & ~GlobalEnableFixed0) == 0);
                SyncCounters(cpu);
                PerfGlobalControl = value;
                break;
            case MsrIndex.PerfGlobalOverflowControl:
                Require((value & ~GlobalEnableFixed0) == 0);
                break;
            case MsrIndex.Efer:
                ControlRegisters.WriteEfer(cpu, value);
                break;
            case MsrIndex.Star:
                Star = value;
                break;
            case MsrIndex.Lstar:
                Require(ProcessorMode.IsCanonical(value));
                Lstar = value;
                break;
            case MsrIndex.Cstar:
                Require(ProcessorMode.IsCanonical(value));
                Cstar = value;
                break;
            case MsrIndex.Fmask:
                Require(value >> 32 == 0);
                Fmask = value;
                break;
            case MsrIndex.FsBase:
                Require(ProcessorMode.IsCanonical(value));
                s.Segments[SegmentIndex.Fs].Base = value;
                break;
            case MsrIndex.GsBase:
                Require(ProcessorMode.IsCanonical(value));
                s.Segments[SegmentIndex.Gs].Base = value;
                break;
            case MsrIndex.KernelGsBase:
                Require(ProcessorMode.IsCanonical(value));
                KernelGsBase = value;
                break;
            case MsrIndex.TscAux:
                Require(value >> 32 == 0);
                TscAux = value;
                break;
            default:
                throw CpuException.GeneralProtection(0);
        }
    }

    private static bool Has(Processor cpu, CpuFeatures feature) => (cpu.SystemRegisters.Features & feature) != 0;

    private static void Require(bool valid)
    {
        if (!valid)
        {
            throw CpuException.GeneralProtection(0);
        }
    }

    /// <summary>Each PAT entry must be a defined memory type: 0, 1, 4, 5, 6 or 7 (SDM 11.12.2).</summary>
    private static bool IsValidPat(ulong value)
    {
        for (int i = 0; i < 8; i++)
        {
            ulong type = (value >> (i * 8)) & 0xFF;
            if (type is 2 or 3 or > 7)
            {
                return false;
            }
        }

        return true;
    }
}
