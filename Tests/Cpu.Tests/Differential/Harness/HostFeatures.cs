using System.Runtime.Intrinsics.X86;
using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>Optional instructions: whether the host has them and whether the emulator's CPUID reports them.</summary>
public static class HostFeatures
{
    public static bool HostHasMovbe => X86Base.IsSupported && (X86Base.CpuId(1, 0).Ecx & (1 << 22)) != 0;

    /// <summary>CPUID.7.0:ECX.OSPKE: the host has protection keys and its OS set CR4.PKE, so RDPKRU/WRPKRU run in user mode.</summary>
    public static bool HostHasOspke => X86Base.IsSupported && (X86Base.CpuId(7, 0).Ecx & (1 << 4)) != 0;

    /// <summary>CPUID.7.0:ECX.RDPID: the host reads IA32_TSC_AUX with RDPID.</summary>
    public static bool HostHasRdpid => X86Base.IsSupported && (X86Base.CpuId(7, 0).Ecx & (1 << 22)) != 0;

    /// <summary>CPUID run in the emulator; null when the emulator could not run it.</summary>
    public static (ulong Eax, ulong Ebx, ulong Ecx, ulong Edx)? EmulatorCpuid(uint leaf, uint subleaf)
    {
        var b = new CaseBuilder(new Random(1));
        b.SetReg(Register.RAX, leaf);
        b.SetReg(Register.RCX, subleaf);
        MachineSnapshot s = EmulatedCpu.Run(b.Build("cpuid", a => a.cpuid()));
        if (s.Error is not null)
        {
            return null;
        }

        return (s.Gpr[0], s.Gpr[3], s.Gpr[1], s.Gpr[2]);
    }

    /// <summary>Skips when the host lacks the instruction (except while cases are only collected); the emulator must then be tested by unit tests.</summary>
    public static void RequireHost(bool supported, string what)
    {
        if (!supported && CaseCollector.Active is null)
        {
            Assert.Skip($"the host CPU has no {what}");
        }
    }
}
