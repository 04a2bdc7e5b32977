using System.Text;

namespace Cpu.System;

/// <summary>
/// CPUID (Intel SDM Vol. 2A, CPUID): an honest leaf set that reports only what this processor implements.
/// No MTRRs or machine checks (CPUID says so: their MSRs raise #GP).
/// </summary>
public static class CpuIdentification
{
    /// <summary>MAXPHYADDR: physical addresses have 40 bits.</summary>
    public const int PhysicalAddressBits = 40;

    /// <summary>Linear addresses have 48 bits (4-level paging).</summary>
    public const int LinearAddressBits = 48;

    public const string Vendor = "GenuineIntel";

    public const string Brand = "emu x86-64 interpreter";

    /// <summary>The cache-line size CLFLUSH reports (CPUID.1:EBX[15:8] in units of 8 bytes).</summary>
    public const int CacheLineBytes = 64;

    private const uint MaxBasicLeaf = 0xD;
    private const uint MaxExtendedLeaf = 0x8000_0008;

    /// <summary>Family 6, model 0, stepping 0: no real model, so guests apply no model-specific quirks.</summary>
    /// <summary>CPUID.1:EAX, the family/model/stepping signature (EDX holds it after reset, SDM Vol. 3A Table 10-1).</summary>
    public const uint Signature = 6 << 8;

    /// <summary>The four registers CPUID returns for <paramref name="leaf"/> (EAX) and <paramref name="subleaf"/> (ECX).</summary>
    /// <remarks>
    /// CPUID.1:ECX.OSXSAVE mirrors <paramref name="cr4"/>; leaf 0DH's sizes follow <paramref name="xcr0"/>;
    /// CPUID.1:EDX.APIC reads clear while IA32_APIC_BASE.EN is 0 (<paramref name="apicEnabled"/>, SDM Vol. 3A, 11.4.3).
    /// </remarks>
    public static (uint Eax, uint Ebx, uint Ecx, uint Edx) Query(CpuFeatures f, uint leaf, uint subleaf, ulong cr4 = 0, ulong xcr0 = ExtendedState.X87Component, bool apicEnabled = true)
    {
        if ((leaf < 0x8000_0000 && leaf > MaxBasicLeaf) || leaf > MaxExtendedLeaf)
        {
            // Out-of-range leaves return the highest basic leaf (SDM CPUID, "invalid input").
            leaf = MaxBasicLeaf;
        }

        switch (leaf)
        {
            case 0:
                return (MaxBasicLeaf, Chars(Vendor, 0), Chars(Vendor, 8), Chars(Vendor, 4));
            case 1:
                {
                    uint ecx = Bit(13) /* CMPXCHG16B */ | Bit(22) /* MOVBE */ | Bit(23) /* POPCNT */
                        | Has(f, CpuFeatures.Sse3, 0) | Has(f, CpuFeatures.Ssse3, 9) | Has(f, CpuFeatures.Sse41, 19) | Has(f, CpuFeatures.Sse42, 20)
                        | Has(f, CpuFeatures.Pcid, 17)
                        | Has(f, CpuFeatures.X2Apic, 21)
                        | Has(f, CpuFeatures.TscDeadline, 24)
                        | Has(f, CpuFeatures.Xsave, 26)
                        | ((cr4 & ControlRegisters.Cr4Osxsave) != 0 ? Bit(27) : 0);
                    uint edx = Bit(2) /* DE */ | Bit(4) /* TSC */ | Bit(5) /* MSR */ | Bit(8) /* CX8 */ | Bit(19) /* CLFSH */
                        | (apicEnabled ? Bit(9) /* APIC */ : 0) | Bit(11) /* SEP: SYSENTER/SYSEXIT */ | Bit(15) /* CMOV */
                        | Has(f, CpuFeatures.Pse, 3) | Has(f, CpuFeatures.Pae, 6) | Has(f, CpuFeatures.Pge, 13)
                        | Has(f, CpuFeatures.Pat, 16) | Has(f, CpuFeatures.Fxsr, 24)
                        | Has(f, CpuFeatures.Fpu, 0) | Has(f, CpuFeatures.Mmx, 23) | Has(f, CpuFeatures.Sse, 25) | Has(f, CpuFeatures.Sse2, 26);

                    // EBX: APIC ID 0, one logical processor, CLFLUSH line size 8 * 8 = 64 bytes.
                    return (Signature, (1 << 16) | (CacheLineBytes / 8 << 8), ecx, edx);
                }

            case 7:
                {
                    if (subleaf != 0)
                    {
                        return (0, 0, 0, 0);
                    }

                    uint ebx = Bit(0) /* FSGSBASE */ | Bit(1) /* IA32_TSC_ADJUST */ | Bit(3) /* BMI1 */ | Has(f, CpuFeatures.Smep, 7) | Has(f, CpuFeatures.Invpcid, 10)
                        | Has(f, CpuFeatures.Smap, 20) | Bit(23) /* CLFLUSHOPT */ | Bit(24) /* CLWB */;
                    uint ecx = Bit(2) /* UMIP */ | Has(f, CpuFeatures.Pku, 3) | Bit(22) /* RDPID */ | Has(f, CpuFeatures.Pks, 31)
                        | ((cr4 & ControlRegisters.Cr4Pke) != 0 ? Bit(4) /* OSPKE */ : 0);
                    return (0, ebx, ecx, 0);
                }

            case 0xA:
                // Architectural performance monitoring version 2: no general-purpose counters, one
                // fixed counter (instructions retired) of 48 bits.
                return (2, 0, 0, 1 | (ModelSpecificRegisters.CounterWidth << 5));
            case 0xD:
                return ExtendedStateLeaf(f, subleaf, xcr0);
            case 0x8000_0000:
                return (MaxExtendedLeaf, 0, 0, 0);
            case 0x8000_0001:
                {
                    uint ecx = Bit(0) /* LAHF/SAHF in 64-bit mode */ | Bit(5) /* LZCNT */;
                    uint edx = Bit(11) /* SYSCALL */ | Bit(27) /* RDTSCP */ | Bit(29) /* LM */
                        | Has(f, CpuFeatures.Nx, 20) | Has(f, CpuFeatures.Pages1G, 26);
                    return (0, 0, ecx, edx);
                }

            case 0x8000_0002:
            case 0x8000_0003:
            case 0x8000_0004:
                {
                    int at = (int)(leaf - 0x8000_0002) * 16;
                    return (Chars(Brand, at), Chars(Brand, at + 4), Chars(Brand, at + 8), Chars(Brand, at + 12));
                }

            case 0x8000_0008:
                return (PhysicalAddressBits | (LinearAddressBits << 8), 0, 0, 0);
            default:
                return (0, 0, 0, 0);
        }
    }

    /// <summary>
    /// Leaf 0DH (SDM 13.2): sub-leaf 0 lists the XCR0 components and the area sizes (for XCR0 and for all),
    /// sub-leaf 1 the XSAVEOPT (bit 0) and XSAVEC (bit 1) instructions and the compacted size; x87 and SSE
    /// live in the legacy region, and sub-leaf 9 places PKRU (with protection keys) in the standard format.
    /// </summary>
    private static (uint Eax, uint Ebx, uint Ecx, uint Edx) ExtendedStateLeaf(CpuFeatures f, uint subleaf, ulong xcr0)
    {
        if ((f & CpuFeatures.Xsave) == 0)
        {
            return (0, 0, 0, 0);
        }

        return subleaf switch
        {
            0 => ((uint)ExtendedState.SupportedXcr0(f), (uint)ExtendedState.AreaSize(xcr0, compacted: false),
                (uint)ExtendedState.AreaSize(ExtendedState.SupportedXcr0(f), compacted: false), 0),
            1 => (Bit(0) | Bit(1), xcr0 == 0 ? 0 : (uint)ExtendedState.AreaSize(xcr0, compacted: true), 0, 0),
            9 when (f & CpuFeatures.Pku) != 0 => (ExtendedState.PkruSize, ExtendedState.PkruOffset, 0, 0),
            _ => (0, 0, 0, 0),
        };
    }

    private static uint Bit(int n) => 1u << n;

    private static uint Has(CpuFeatures f, CpuFeatures feature, int bit) => (f & feature) != 0 ? 1u << bit : 0;

    /// <summary>Four ASCII characters of <paramref name="text"/> from <paramref name="at"/>, little-endian, NUL-padded.</summary>
    private static uint Chars(string text, int at)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        uint value = 0;
        for (int i = 0; i < 4; i++)
        {
            uint b = at + i < bytes.Length ? bytes[at + i] : 0u;
            value |= b << (8 * i);
        }

        return value;
    }
}
