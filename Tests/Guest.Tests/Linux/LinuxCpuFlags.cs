using Cpu.System;

namespace Guest.Tests.Linux;

/// <summary>
/// The /proc/cpuinfo flag names Linux derives straight from CPUID bits (the names of Linux's
/// arch/x86/include/asm/cpufeatures.h, written out here as facts), so a test can check that the flags line
/// on emu names exactly what emu's CPUID reports: no feature claimed that is not there, none hidden.
/// Flags Linux computes itself (constant_tsc, rep_good, pti, ...) and bits it hides or rewrites are not listed.
/// </summary>
public static class LinuxCpuFlags
{
    private enum Reg
    {
        Ebx,
        Ecx,
        Edx,
    }

    private static readonly (string Name, uint Leaf, Reg Reg, int Bit)[] Table =
    [
        ("fpu", 1, Reg.Edx, 0), ("vme", 1, Reg.Edx, 1), ("de", 1, Reg.Edx, 2), ("pse", 1, Reg.Edx, 3),
        ("tsc", 1, Reg.Edx, 4), ("msr", 1, Reg.Edx, 5), ("pae", 1, Reg.Edx, 6), ("mce", 1, Reg.Edx, 7),
        ("cx8", 1, Reg.Edx, 8), ("apic", 1, Reg.Edx, 9), ("sep", 1, Reg.Edx, 11), ("mtrr", 1, Reg.Edx, 12),
        ("pge", 1, Reg.Edx, 13), ("mca", 1, Reg.Edx, 14), ("cmov", 1, Reg.Edx, 15), ("pat", 1, Reg.Edx, 16),
        ("pse36", 1, Reg.Edx, 17), ("clflush", 1, Reg.Edx, 19), ("dts", 1, Reg.Edx, 21), ("acpi", 1, Reg.Edx, 22),
        ("mmx", 1, Reg.Edx, 23), ("fxsr", 1, Reg.Edx, 24), ("sse", 1, Reg.Edx, 25), ("sse2", 1, Reg.Edx, 26),
        ("ss", 1, Reg.Edx, 27), ("ht", 1, Reg.Edx, 28), ("tm", 1, Reg.Edx, 29), ("pbe", 1, Reg.Edx, 31),
        ("pni", 1, Reg.Ecx, 0), ("pclmulqdq", 1, Reg.Ecx, 1), ("dtes64", 1, Reg.Ecx, 2), ("monitor", 1, Reg.Ecx, 3),
        ("ds_cpl", 1, Reg.Ecx, 4), ("vmx", 1, Reg.Ecx, 5), ("smx", 1, Reg.Ecx, 6), ("est", 1, Reg.Ecx, 7),
        ("tm2", 1, Reg.Ecx, 8), ("ssse3", 1, Reg.Ecx, 9), ("sdbg", 1, Reg.Ecx, 11), ("fma", 1, Reg.Ecx, 12),
        ("cx16", 1, Reg.Ecx, 13), ("xtpr", 1, Reg.Ecx, 14), ("pdcm", 1, Reg.Ecx, 15), ("pcid", 1, Reg.Ecx, 17),
        ("dca", 1, Reg.Ecx, 18), ("sse4_1", 1, Reg.Ecx, 19), ("sse4_2", 1, Reg.Ecx, 20), ("movbe", 1, Reg.Ecx, 22),
        ("popcnt", 1, Reg.Ecx, 23), ("tsc_deadline_timer", 1, Reg.Ecx, 24), ("aes", 1, Reg.Ecx, 25),
        ("xsave", 1, Reg.Ecx, 26), ("avx", 1, Reg.Ecx, 28), ("f16c", 1, Reg.Ecx, 29), ("rdrand", 1, Reg.Ecx, 30),
        ("hypervisor", 1, Reg.Ecx, 31),
        ("fsgsbase", 7, Reg.Ebx, 0), ("tsc_adjust", 7, Reg.Ebx, 1), ("sgx", 7, Reg.Ebx, 2), ("bmi1", 7, Reg.Ebx, 3),
        ("hle", 7, Reg.Ebx, 4), ("avx2", 7, Reg.Ebx, 5), ("smep", 7, Reg.Ebx, 7), ("bmi2", 7, Reg.Ebx, 8),
        ("erms", 7, Reg.Ebx, 9), ("invpcid", 7, Reg.Ebx, 10), ("rtm", 7, Reg.Ebx, 11), ("mpx", 7, Reg.Ebx, 14),
        ("avx512f", 7, Reg.Ebx, 16), ("avx512dq", 7, Reg.Ebx, 17), ("rdseed", 7, Reg.Ebx, 18), ("adx", 7, Reg.Ebx, 19),
        ("smap", 7, Reg.Ebx, 20), ("clflushopt", 7, Reg.Ebx, 23), ("clwb", 7, Reg.Ebx, 24), ("sha_ni", 7, Reg.Ebx, 29),
        ("umip", 7, Reg.Ecx, 2), ("pku", 7, Reg.Ecx, 3), ("waitpkg", 7, Reg.Ecx, 5), ("gfni", 7, Reg.Ecx, 8),
        ("vaes", 7, Reg.Ecx, 9), ("la57", 7, Reg.Ecx, 16), ("rdpid", 7, Reg.Ecx, 22),
        ("syscall", 0x8000_0001, Reg.Edx, 11), ("nx", 0x8000_0001, Reg.Edx, 20), ("mmxext", 0x8000_0001, Reg.Edx, 22),
        ("fxsr_opt", 0x8000_0001, Reg.Edx, 25), ("pdpe1gb", 0x8000_0001, Reg.Edx, 26), ("rdtscp", 0x8000_0001, Reg.Edx, 27),
        ("lm", 0x8000_0001, Reg.Edx, 29),
        ("lahf_lm", 0x8000_0001, Reg.Ecx, 0), ("svm", 0x8000_0001, Reg.Ecx, 2), ("abm", 0x8000_0001, Reg.Ecx, 5),
        ("sse4a", 0x8000_0001, Reg.Ecx, 6), ("3dnowprefetch", 0x8000_0001, Reg.Ecx, 8),
    ];

    /// <summary>
    /// What is wrong with <paramref name="flagsLine"/> (the "flags : ..." line) for a CPU whose CPUID is
    /// <paramref name="features"/>: the names claimed without the CPUID bit and the bits set but not named. Empty when honest.
    /// </summary>
    public static IReadOnlyList<string> Mismatches(string flagsLine, CpuFeatures features)
    {
        var named = new HashSet<string>(flagsLine[(flagsLine.IndexOf(':', StringComparison.Ordinal) + 1)..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        var wrong = new List<string>();
        foreach ((string name, uint leaf, Reg reg, int bit) in Table)
        {
            bool reported = Reports(features, leaf, reg, bit);
            if (name == "pat")
            {
                // Linux 6.1 turns PAT off, and drops the flag, when the CPU has no MTRRs ("MTRRs disabled,
                // skipping PAT initialization too").
                reported &= Reports(features, 1, Reg.Edx, 12);
            }

            if (reported != named.Contains(name))
            {
                wrong.Add(reported ? $"{name}: CPUID reports it, Linux does not list it" : $"{name}: listed, but CPUID does not report it");
            }
        }

        return wrong;
    }

    private static bool Reports(CpuFeatures features, uint leaf, Reg reg, int bit)
    {
        (uint _, uint ebx, uint ecx, uint edx) = CpuIdentification.Query(features, leaf, 0);
        uint value = reg switch { Reg.Ebx => ebx, Reg.Ecx => ecx, _ => edx };
        return (value & (1u << bit)) != 0;
    }
}
