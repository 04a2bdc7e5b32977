using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Semantics;

/// <summary>
/// RDPKRU and WRPKRU (Intel SDM Vol. 2B): PKRU, the rights of the protection keys of user-mode pages.
/// Both are #UD unless CR4.PKE = 1 and #GP(0) when ECX (and, for WRPKRU, EDX) is not 0; any CPL.
/// </summary>
public static class ProtectionKeys
{
    private const int Rax = 0;
    private const int Rcx = 1;
    private const int Rdx = 2;

    public static void Rdpkru(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        RequireEnabled(s);
        if ((uint)s.Gpr[Rcx] != 0)
        {
            throw CpuException.GeneralProtection(0);
        }

        s.Gpr[Rax] = cpu.Memory.Pkru;
        s.Gpr[Rdx] = 0;
    }

    public static void Wrpkru(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        RequireEnabled(s);
        if ((uint)s.Gpr[Rcx] != 0 || (uint)s.Gpr[Rdx] != 0)
        {
            throw CpuException.GeneralProtection(0);
        }

        cpu.Memory.SetPkru((uint)s.Gpr[Rax]);
    }

    private static void RequireEnabled(CpuState s)
    {
        if ((s.Cr4 & ControlRegisters.Cr4Pke) == 0)
        {
            throw CpuException.InvalidOpcode();
        }
    }
}
