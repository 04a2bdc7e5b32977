using Cpu.Execution;
using Cpu.State;
using Mmu.Paging;

namespace Cpu.System;

/// <summary>
/// Writes to CR0, CR3, CR4, CR8 and EFER with their reserved-bit and consistency checks (Intel SDM
/// 2.5, MOV to CR, 9.8.5 on activating IA-32e mode). Paging-relevant changes are passed to the MMU.
/// The privilege check (CPL 0) is the caller's. The bit values are <see cref="ControlRegisterBits"/>'s
/// (the MMU needs them too); the names here are for the processor's code.
/// </summary>
public static class ControlRegisters
{
    public const ulong Cr0Pe = ControlRegisterBits.Cr0Pe;
    public const ulong Cr0Et = ControlRegisterBits.Cr0Et;
    public const ulong Cr0Wp = ControlRegisterBits.Cr0Wp;
    public const ulong Cr0Nw = ControlRegisterBits.Cr0Nw;
    public const ulong Cr0Cd = ControlRegisterBits.Cr0Cd;
    public const ulong Cr0Pg = ControlRegisterBits.Cr0Pg;

    /// <summary>PE, MP, EM, TS, ET, NE, WP, AM, NW, CD, PG: the other bits of CR0[31:0] ignore writes.</summary>
    public const ulong Cr0Defined = 0xE005_003F;

    public const ulong Cr0Mp = ControlRegisterBits.Cr0Mp;
    public const ulong Cr0Em = ControlRegisterBits.Cr0Em;
    public const ulong Cr0Ts = ControlRegisterBits.Cr0Ts;
    public const ulong Cr0Ne = ControlRegisterBits.Cr0Ne;

    public const ulong Cr4Tsd = ControlRegisterBits.Cr4Tsd;
    public const ulong Cr4De = ControlRegisterBits.Cr4De;
    public const ulong Cr4Pse = ControlRegisterBits.Cr4Pse;
    public const ulong Cr4Pae = ControlRegisterBits.Cr4Pae;
    public const ulong Cr4Pge = ControlRegisterBits.Cr4Pge;
    public const ulong Cr4Pce = ControlRegisterBits.Cr4Pce;
    public const ulong Cr4Osfxsr = ControlRegisterBits.Cr4Osfxsr;
    public const ulong Cr4Osxmmexcpt = ControlRegisterBits.Cr4Osxmmexcpt;
    public const ulong Cr4Umip = ControlRegisterBits.Cr4Umip;
    public const ulong Cr4FsGsBase = ControlRegisterBits.Cr4FsGsBase;
    public const ulong Cr4Pcide = ControlRegisterBits.Cr4Pcide;
    public const ulong Cr4Osxsave = ControlRegisterBits.Cr4Osxsave;
    public const ulong Cr4Smep = ControlRegisterBits.Cr4Smep;
    public const ulong Cr4Smap = ControlRegisterBits.Cr4Smap;
    public const ulong Cr4Pke = ControlRegisterBits.Cr4Pke;
    public const ulong Cr4Pks = ControlRegisterBits.Cr4Pks;

    /// <summary>The CR4 bits this processor accepts (the others are reserved and raise #GP).</summary>
    public static ulong Cr4Supported(CpuFeatures f) =>
        Cr4Tsd | Cr4De | Cr4Pce | Cr4Umip | Cr4FsGsBase
        | ((f & CpuFeatures.Pse) != 0 ? Cr4Pse : 0)
        | ((f & CpuFeatures.Pae) != 0 ? Cr4Pae : 0)
        | ((f & CpuFeatures.Pge) != 0 ? Cr4Pge : 0)
        | ((f & CpuFeatures.Pcid) != 0 ? Cr4Pcide : 0)
        | ((f & CpuFeatures.Smep) != 0 ? Cr4Smep : 0)
        | ((f & CpuFeatures.Smap) != 0 ? Cr4Smap : 0)
        | ((f & CpuFeatures.Pku) != 0 ? Cr4Pke : 0)
        | ((f & CpuFeatures.Pks) != 0 ? Cr4Pks : 0)
        | ((f & CpuFeatures.Fxsr) != 0 ? Cr4Osfxsr : 0)
        | ((f & CpuFeatures.SseState) != 0 ? Cr4Osxmmexcpt : 0)
        | ((f & CpuFeatures.Xsave) != 0 ? Cr4Osxsave : 0);

    /// <summary>MOV to CR0. Turning paging on with EFER.LME activates IA-32e mode; turning it off leaves it.</summary>
    public static void WriteCr0(Processor cpu, ulong value)
    {
        CpuState s = cpu.State;
        Require(value >> 32 == 0);
        ulong cr0 = (value & Cr0Defined) | (s.Cr0 & ~Cr0Defined & 0xFFFF_FFFF) | Cr0Et;
        Require(!((cr0 & Cr0Pg) != 0 && (cr0 & Cr0Pe) == 0));
        Require(!((cr0 & Cr0Nw) != 0 && (cr0 & Cr0Cd) == 0));

        ulong efer = s.Efer;
        bool pagingWasOn = (s.Cr0 & Cr0Pg) != 0;
        bool pagingOn = (cr0 & Cr0Pg) != 0;
        if (!pagingWasOn && pagingOn && (efer & ProcessorMode.EferLme) != 0)
        {
            // Activating IA-32e mode (SDM 9.8.5): needs PAE, and cannot happen from a 64-bit code segment.
            Require((s.Cr4 & Cr4Pae) != 0);
            Require((s.Segments[SegmentIndex.Cs].Attributes & SegmentAttributes.Long) == 0);
            efer |= ProcessorMode.EferLma;
        }
        else if (pagingWasOn && !pagingOn)
        {
            Require((s.Cr4 & Cr4Pcide) == 0);
            Require(!ProcessorMode.Is64Bit(s));
            efer &= ~ProcessorMode.EferLma;
        }

        if (pagingOn && (!pagingWasOn || ((cr0 ^ s.Cr0) & (Cr0Cd | Cr0Nw)) != 0))
        {
            RequireValidPdptes(cpu, cr0, s.Cr4, efer, s.Cr3);
        }

        s.Cr0 = cr0;
        s.Efer = efer;
        cpu.Memory.SetPagingControls(s.Cr0, s.Cr4, s.Efer);
    }

    /// <summary>
    /// PAE paging outside IA-32e mode loads the four PDPTE registers when CR3 is written, when paging is
    /// turned on and when CR4.PAE/PGE/PSE/SMEP change; PDPTEs with reserved bits set make the MOV #GP(0)
    /// (SDM 4.4.1).
    /// </summary>
    private static void RequireValidPdptes(Processor cpu, ulong cr0, ulong cr4, ulong efer, ulong cr3)
    {
        if ((cr0 & Cr0Pg) != 0 && (cr4 & Cr4Pae) != 0 && (efer & ProcessorMode.EferLma) == 0)
        {
            Require(cpu.Memory.PdptesAreValid(cr3));
        }
    }

    /// <summary>MOV to CR3: in IA-32e mode bits beyond MAXPHYADDR are reserved; with CR4.PCIDE bit 63 asks not to flush.</summary>
    public static void WriteCr3(Processor cpu, ulong value)
    {
        CpuState s = cpu.State;
        bool pcide = (s.Cr4 & Cr4Pcide) != 0;
        ulong address = pcide ? value & ~(1UL << 63) : value;
        if (ProcessorMode.IsLongModeActive(s))
        {
            Require(address >> CpuIdentification.PhysicalAddressBits == 0);
        }
        else
        {
            value &= 0xFFFF_FFFF;
            address &= 0xFFFF_FFFF;
        }

        RequireValidPdptes(cpu, s.Cr0, s.Cr4, s.Efer, address);
        s.Cr3 = address;
        cpu.Memory.LoadCr3(value);
    }

    /// <summary>MOV to CR4.</summary>
    public static void WriteCr4(Processor cpu, ulong value)
    {
        CpuState s = cpu.State;
        Require((value & ~Cr4Supported(cpu.SystemRegisters.Features)) == 0);
        bool lma = ProcessorMode.IsLongModeActive(s);
        if (lma)
        {
            Require((value & Cr4Pae) != 0);
        }

        if ((value & Cr4Pcide) != 0 && (s.Cr4 & Cr4Pcide) == 0)
        {
            Require(lma && (s.Cr3 & 0xFFF) == 0);
        }

        if (((value ^ s.Cr4) & (Cr4Pae | Cr4Pge | Cr4Pse | Cr4Smep)) != 0)
        {
            RequireValidPdptes(cpu, s.Cr0, value, s.Efer, s.Cr3);
        }

        s.Cr4 = value;
        cpu.Memory.SetPagingControls(s.Cr0, s.Cr4, s.Efer);
        cpu.GuestDebug.SetDebuggingExtensions((value & Cr4De) != 0);
    }

    /// <summary>WRMSR to IA32_EFER: SCE, LME, NXE; LMA is read-only; LME cannot change while paging is on.</summary>
    public static void WriteEfer(Processor cpu, ulong value)
    {
        CpuState s = cpu.State;
        ulong writable = ProcessorMode.EferSce | ProcessorMode.EferLme
            | ((cpu.SystemRegisters.Features & CpuFeatures.Nx) != 0 ? ProcessorMode.EferNxe : 0);
        Require((value & ~(writable | ProcessorMode.EferLma)) == 0);
        if ((s.Cr0 & Cr0Pg) != 0)
        {
            Require(((value ^ s.Efer) & ProcessorMode.EferLme) == 0);
        }

        s.Efer = (value & writable) | (s.Efer & ProcessorMode.EferLma);
        cpu.Memory.SetPagingControls(s.Cr0, s.Cr4, s.Efer);
    }

    /// <summary>CR8 reads the local APIC's task-priority class (SDM 10.8.6.1).</summary>
    public static ulong ReadCr8(Processor cpu) =>
        cpu.InterruptController is { } apic ? apic.TaskPriority & 0xF : cpu.SystemRegisters.Cr8;

    /// <summary>MOV to CR8: bits 63:4 are reserved.</summary>
    public static void WriteCr8(Processor cpu, ulong value)
    {
        Require(value >> 4 == 0);
        if (cpu.InterruptController is { } apic)
        {
            apic.TaskPriority = value;
        }

        cpu.SystemRegisters.Cr8 = value;
    }

    private static void Require(bool valid)
    {
        if (!valid)
        {
            throw CpuException.GeneralProtection(0);
        }
    }
}
