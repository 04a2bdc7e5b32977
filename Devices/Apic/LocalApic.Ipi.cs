namespace Devices.Apic;

/// <summary>
/// Interrupts this processor sends itself through the ICR and the SELF IPI register, and the APIC's
/// error reporting (Intel SDM Vol. 3A, 11.6.1 and 11.5.3). There is one processor, so a message
/// reaches this APIC or nobody.
/// </summary>
public sealed partial class LocalApic
{
    private const int DeliveryFixed = 0;
    private const int DeliveryLowestPriority = 1;
    private const int DeliveryNmi = 4;
    private const int ShorthandNone = 0;
    private const int ShorthandSelf = 1;
    private const int ShorthandAllIncludingSelf = 2;

    /// <summary>
    /// Sends what the ICR's low word describes to <paramref name="destination"/> (8 bits in xAPIC mode, 32 in
    /// x2APIC mode). Fixed and lowest-priority interrupts land in IRR (lowest priority among one processor
    /// is this one); NMI goes to the processor's NMI input. SMI is not modelled; INIT and start-up have no
    /// other processor to reach, and this one, the BSP, is not waiting for a SIPI (SDM 9.4.4).
    /// </summary>
    private void SendIpi(uint destination)
    {
        int vector = (int)(icrLow & 0xFF);
        int mode = (int)((icrLow >> 8) & 7);
        int shorthand = (int)((icrLow >> 18) & 3);
        bool logical = (icrLow & (1u << 11)) != 0;
        IpisSent++;
        bool toSelf = shorthand switch
        {
            ShorthandSelf or ShorthandAllIncludingSelf => true,
            ShorthandNone => X2ApicMode ? MatchesX2ApicDestination(destination, logical) : MatchesDestination(destination, logical),
            _ => false,
        };
        switch (mode)
        {
            case DeliveryFixed or DeliveryLowestPriority:
                if (vector < 16)
                {
                    // The message is not sent (SDM 11.5.3, Send Illegal Vector).
                    RaiseError(EsrSendIllegalVector);
                    return;
                }

                if (toSelf)
                {
                    AcceptInterrupt(vector, levelTriggered: false);
                }

                break;
            case DeliveryNmi when toSelf:
                NonMaskableInterrupt?.Invoke();
                break;
        }
    }

    /// <summary>A 32-bit x2APIC destination: physical all-ones broadcasts; logical is cluster (31:16) and member bitmap (15:0) (SDM 11.12.10).</summary>
    private bool MatchesX2ApicDestination(uint destination, bool logical)
    {
        if (destination == 0xFFFF_FFFF)
        {
            return true;
        }

        if (!logical)
        {
            return destination == initialId;
        }

        uint own = X2ApicLogicalId;
        return (destination >> 16) == (own >> 16) && (destination & own & 0xFFFF) != 0;
    }

    /// <summary>Records an error for the next ESR write and raises the error LVT unless it is masked (SDM 11.5.3).</summary>
    private void RaiseError(uint bits)
    {
        pendingErrors |= bits;
        uint entry = lvt[LvtError];
        if ((entry & LvtMasked) == 0 && (entry & 0xFF) >= 16)
        {
            Set(irr, (int)(entry & 0xFF));
        }
    }
}
