using Mmu.Interrupts;

namespace Devices.Apic;

/// <summary>
/// The APIC's MSRs (Mmu's <see cref="Mmu.Interrupts.IApicMsrs"/>): IA32_APIC_BASE with the legal
/// transitions between disabled, xAPIC and x2APIC mode (Intel SDM Vol. 3A, 11.12.5), IA32_TSC_DEADLINE,
/// and in x2APIC mode the registers at 800H + offset / 16 with the #GP rules of SDM 11.12.1.2-3: reads of
/// write-only and writes of read-only or absent registers fault, as do set reserved bits 63:32 (all but the
/// ICR), a non-zero EOI or ESR write, and a SELF IPI with bits above the vector.
/// </summary>
public sealed partial class LocalApic
{
    private const uint X2ApicId = 0x802;
    private const uint X2ApicTpr = 0x808;
    private const uint X2ApicEoi = 0x80B;
    private const uint X2ApicLdr = 0x80D;
    private const uint X2ApicEsr = 0x828;
    private const uint X2ApicIcr = 0x830;
    private const uint X2ApicSelfIpi = 0x83F;

    /// <summary>The x2APIC logical ID, derived from the x2APIC ID: cluster (ID[19:4]) in 31:16, one bit for ID[3:0] (SDM 11.12.10.2).</summary>
    private uint X2ApicLogicalId => ((initialId >> 4) << 16) | (1u << (int)(initialId & 0xF));

    public bool TryReadMsr(uint index, out ulong value)
    {
        value = 0;
        switch (index)
        {
            case ApicMsrIndex.ApicBase:
                value = apicBase;
                return true;
            case ApicMsrIndex.TscDeadline:
                value = ReadTscDeadline();
                return true;
        }

        if (!X2ApicMode)
        {
            return false; // the x2APIC MSRs exist only in x2APIC mode (SDM 11.12.1.2)
        }

        switch (index)
        {
            case X2ApicId:
                value = initialId;
                return true;
            case X2ApicLdr:
                value = X2ApicLogicalId;
                return true;
            case X2ApicIcr:
                value = ((ulong)icrHigh << 32) | icrLow;
                return true;
            case 0x803 or X2ApicTpr or 0x80A or 0x80F or (>= 0x810 and <= X2ApicEsr) or (>= 0x832 and <= 0x839) or 0x83E:
                value = ReadRegister((index - ApicMsrIndex.X2ApicFirst) << 4);
                return true;
            default:
                return false;
        }
    }

    public bool TryWriteMsr(uint index, ulong value)
    {
        switch (index)
        {
            case ApicMsrIndex.ApicBase:
                return WriteApicBase(value);
            case ApicMsrIndex.TscDeadline:
                WriteTscDeadline(value);
                return true;
        }

        if (!X2ApicMode || (index != X2ApicIcr && value >> 32 != 0))
        {
            return false;
        }

        switch (index)
        {
            case X2ApicTpr when value >> 8 != 0:
            case X2ApicEoi or X2ApicEsr when value != 0:
            case X2ApicSelfIpi when value >> 8 != 0:
                return false;
            case X2ApicIcr:
                icrHigh = (uint)(value >> 32);
                icrLow = (uint)value & 0x000C_CFFF;
                SendIpi(icrHigh);
                return true;
            case X2ApicSelfIpi:
                SendSelfIpi((int)value);
                return true;
            case X2ApicTpr or X2ApicEoi or 0x80F or X2ApicEsr or (>= 0x832 and <= 0x838) or 0x83E:
                WriteRegister((index - ApicMsrIndex.X2ApicFirst) << 4, (uint)value);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// WRMSR IA32_APIC_BASE: bits 7:0 and 9 are reserved, BSP is read-only; EN=0 with EXTD=1, x2APIC to
    /// xAPIC and disabled to x2APIC are illegal (SDM 11.12.5). Clearing EN disables the APIC and returns its
    /// registers to their power-up state (SDM 11.4.3).
    /// </summary>
    private bool WriteApicBase(ulong value)
    {
        bool enable = (value & BaseEnable) != 0;
        bool extd = (value & BaseExtd) != 0;
        bool legal = (value & 0x2FF) == 0
            && (enable || !extd)
            && !(X2ApicMode && enable && !extd)
            && !(!GloballyEnabled && extd);
        if (!legal)
        {
            return false;
        }

        if (GloballyEnabled && !enable)
        {
            ResetRegisters();
        }

        apicBase = (value & ~BaseBsp) | (apicBase & BaseBsp);
        return true;
    }

    /// <summary>SELF IPI (x2APIC 83FH): a fixed, edge-triggered interrupt to this processor (SDM 11.12.11).</summary>
    private void SendSelfIpi(int vector)
    {
        IpisSent++;
        if (vector < 16)
        {
            RaiseError(EsrSendIllegalVector);
            return;
        }

        AcceptInterrupt(vector, levelTriggered: false);
    }
}
