using Cpu.Execution;
using Cpu.State;

namespace Cpu.System;

/// <summary>
/// SYSCALL, SYSRET and SWAPGS (Intel SDM Vol. 2B): the fast user/kernel transitions of 64-bit mode,
/// driven by IA32_STAR, IA32_LSTAR and IA32_FMASK. As on Intel processors, SYSCALL is only valid in
/// 64-bit mode (IA32_CSTAR is kept but never used). SYSENTER and SYSEXIT, driven by IA32_SYSENTER_CS/ESP/EIP,
/// work in protected mode, compatibility mode and 64-bit mode (Intel's behaviour).
/// </summary>
public static class FastSystemCalls
{
    /// <summary>The RFLAGS bits SYSRET restores from R11 (the rest read as their fixed values).</summary>
    private const ulong SysretFlagsMask = 0x3C_7FD7;

    /// <summary>SYSCALL: RIP already points past the instruction.</summary>
    public static void Syscall(Processor cpu)
    {
        CpuState s = cpu.State;
        if (!ProcessorMode.Is64Bit(s) || (s.Efer & ProcessorMode.EferSce) == 0)
        {
            throw CpuException.InvalidOpcode();
        }

        ModelSpecificRegisters msr = cpu.SystemRegisters.Msr;
        ulong rflags = s.Rflags;
        int oldCpl = s.Cpl;
        ushort selector = (ushort)((msr.Star >> 32) & 0xFFFC);
        s.Gpr[1] = s.Rip;
        s.Gpr[11] = rflags & ~SystemFlags.Resume;
        SegmentLoading.SetCodeSegment(cpu, new SegmentRegister
        {
            Selector = selector,
            Base = 0,
            Limit = 0xFFFF_FFFF,
            Attributes = SegmentAttributes.Code64(0),
        });
        s.Segments[SegmentIndex.Ss] = new SegmentRegister
        {
            Selector = (ushort)(selector + 8),
            Base = 0,
            Limit = 0xFFFF_FFFF,
            Attributes = SegmentAttributes.Data32(0),
        };
        s.Rip = msr.Lstar;
        InterruptReturn.SetFlags(cpu, rflags & ~(msr.Fmask | SystemFlags.Resume));
        if (oldCpl == 3)
        {
            cpu.Counters.RecordTransition(TransitionKind.Syscall);
        }
    }

    /// <summary>SYSRET (32-bit operand size: to compatibility mode) or SYSRETQ (to 64-bit mode).</summary>
    public static void Sysret(Processor cpu, bool to64)
    {
        CpuState s = cpu.State;
        if (!ProcessorMode.Is64Bit(s) || (s.Efer & ProcessorMode.EferSce) == 0)
        {
            throw CpuException.InvalidOpcode();
        }

        if (s.Cpl != 0)
        {
            throw CpuException.GeneralProtection(0);
        }

        ulong rip = to64 ? s.Gpr[1] : (uint)s.Gpr[1];
        if (to64 && !ProcessorMode.IsCanonical(rip))
        {
            // Intel raises #GP(0) at CPL 0 for a non-canonical RCX (SDM SYSRET).
            throw CpuException.GeneralProtection(0);
        }

        ushort baseSelector = (ushort)(cpu.SystemRegisters.Msr.Star >> 48);
        SegmentLoading.SetCodeSegment(cpu, new SegmentRegister
        {
            Selector = (ushort)((to64 ? baseSelector + 16 : baseSelector) | 3),
            Base = 0,
            Limit = 0xFFFF_FFFF,
            Attributes = to64 ? SegmentAttributes.Code64(3) : SegmentAttributes.Code32(3),
        });
        s.Segments[SegmentIndex.Ss] = new SegmentRegister
        {
            Selector = (ushort)((baseSelector + 8) | 3),
            Base = 0,
            Limit = 0xFFFF_FFFF,
            Attributes = SegmentAttributes.Data32(3),
        };
        s.Rip = rip;
        InterruptReturn.SetFlags(cpu, (s.Gpr[11] & SysretFlagsMask) | SystemFlags.Reserved1);
        cpu.Counters.RecordTransition(TransitionKind.Sysret);
    }

    /// <summary>SWAPGS: exchanges GS.base with IA32_KERNEL_GS_BASE (64-bit mode, CPL 0).</summary>
    public static void Swapgs(Processor cpu)
    {
        CpuState s = cpu.State;
        if (!ProcessorMode.Is64Bit(s))
        {
            throw CpuException.InvalidOpcode();
        }

        if (s.Cpl != 0)
        {
            throw CpuException.GeneralProtection(0);
        }

        ModelSpecificRegisters msr = cpu.SystemRegisters.Msr;
        (s.Segments[SegmentIndex.Gs].Base, msr.KernelGsBase) = (msr.KernelGsBase, s.Segments[SegmentIndex.Gs].Base);
    }

    /// <summary>SYSENTER (SDM Vol. 2B): to CPL 0 at IA32_SYSENTER_EIP with the stack at IA32_SYSENTER_ESP, flat segments from IA32_SYSENTER_CS.</summary>
    public static void Sysenter(Processor cpu)
    {
        CpuState s = cpu.State;
        ModelSpecificRegisters msr = cpu.SystemRegisters.Msr;
        if ((s.Cr0 & 1) == 0 || (msr.SysenterCs & 0xFFFC) == 0)
        {
            throw CpuException.GeneralProtection(0);
        }

        bool longMode = (s.Efer & ProcessorMode.EferLma) != 0;
        int oldCpl = s.Cpl;
        ushort selector = (ushort)(msr.SysenterCs & 0xFFFC);
        SegmentLoading.SetCodeSegment(cpu, new SegmentRegister
        {
            Selector = selector,
            Limit = 0xFFFF_FFFF,
            Attributes = longMode ? SegmentAttributes.Code64(0) : SegmentAttributes.Code32(0),
        });
        s.Segments[SegmentIndex.Ss] = new SegmentRegister { Selector = (ushort)(selector + 8), Limit = 0xFFFF_FFFF, Attributes = SegmentAttributes.Data32(0) };
        s.Gpr[4] = longMode ? msr.SysenterEsp : (uint)msr.SysenterEsp;
        s.Rip = longMode ? msr.SysenterEip : (uint)msr.SysenterEip;
        InterruptReturn.SetFlags(cpu, s.Rflags & ~(SystemFlags.Virtual8086 | SystemFlags.Interrupt | SystemFlags.Resume));
        if (oldCpl == 3)
        {
            cpu.Counters.RecordTransition(TransitionKind.Syscall);
        }
    }

    /// <summary>
    /// SYSEXIT (SDM Vol. 2B): to CPL 3 at RDX with the stack at RCX; the code segment is IA32_SYSENTER_CS + 16
    /// (32-bit) or + 32 (SYSEXITQ, 64-bit), the stack segment 8 above it. RFLAGS is unchanged.
    /// </summary>
    public static void Sysexit(Processor cpu, bool to64)
    {
        CpuState s = cpu.State;
        ModelSpecificRegisters msr = cpu.SystemRegisters.Msr;
        if ((s.Cr0 & 1) == 0 || (msr.SysenterCs & 0xFFFC) == 0 || s.Cpl != 0)
        {
            throw CpuException.GeneralProtection(0);
        }

        ulong rip = to64 ? s.Gpr[2] : (uint)s.Gpr[2];
        ulong rsp = to64 ? s.Gpr[1] : (uint)s.Gpr[1];
        if (to64 && (!ProcessorMode.IsCanonical(rip) || !ProcessorMode.IsCanonical(rsp)))
        {
            throw CpuException.GeneralProtection(0);
        }

        ushort selector = (ushort)(((msr.SysenterCs & 0xFFFC) + (to64 ? 32u : 16u)) | 3);
        SegmentLoading.SetCodeSegment(cpu, new SegmentRegister
        {
            Selector = selector,
            Limit = 0xFFFF_FFFF,
            Attributes = to64 ? SegmentAttributes.Code64(3) : SegmentAttributes.Code32(3),
        });
        s.Segments[SegmentIndex.Ss] = new SegmentRegister { Selector = (ushort)(selector + 8), Limit = 0xFFFF_FFFF, Attributes = SegmentAttributes.Data32(3) };
        s.Gpr[4] = rsp;
        s.Rip = rip;
        cpu.Counters.RecordTransition(TransitionKind.Sysret);
    }
}
