using Mmu.Tlb;

namespace Mmu;

/// <summary>The CPU's view of memory: protection-key rights (PKRU, IA32_PKRS) and the TLB entries they govern.</summary>
public sealed unsafe partial class LinearMemory
{
    /// <summary>PKRU, the protection-key rights of user-mode pages (RDPKRU/WRPKRU, XSAVE component 9).</summary>
    public uint Pkru => walker.Pkru;

    /// <summary>IA32_PKRS, the protection-key rights of supervisor-mode pages.</summary>
    public uint Pkrs => walker.Pkrs;

    /// <summary>WRPKRU: takes effect for the next access; cached translations of the changed keys are dropped.</summary>
    public void SetPkru(uint value)
    {
        tlb.DropKeyed(SoftTlb.UserKeyFlag, ChangedKeys(walker.Pkru, value));
        walker.Pkru = value;
    }

    /// <summary>WRMSR IA32_PKRS: as <see cref="SetPkru"/> for supervisor-mode pages.</summary>
    public void SetPkrs(uint value)
    {
        tlb.DropKeyed(SoftTlb.SupervisorKeyFlag, ChangedKeys(walker.Pkrs, value));
        walker.Pkrs = value;
    }

    /// <summary>One bit per protection key whose two rights bits differ between <paramref name="a"/> and <paramref name="b"/>.</summary>
    private static uint ChangedKeys(uint a, uint b)
    {
        uint diff = a ^ b;
        uint keys = 0;
        for (int k = 0; k < 16; k++)
        {
            keys |= ((diff >> (2 * k)) & 3) != 0 ? 1u << k : 0;
        }

        return keys;
    }
}
