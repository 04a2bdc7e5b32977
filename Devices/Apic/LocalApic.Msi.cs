using Devices.Interrupts;

namespace Devices.Apic;

/// <summary>
/// Message-signalled interrupts (Intel SDM Vol. 3A, 11.11): a device's DWORD write into 0xFEExxxxx carries the
/// destination in the address and the vector, delivery mode and trigger mode in the data. One processor, so a
/// message reaches this APIC or nobody.
/// </summary>
public sealed partial class LocalApic : IMessageSignaledInterrupts
{
    /// <summary>Messages accepted (delivered to this APIC).</summary>
    public long MessagesAccepted { get; private set; }

    /// <summary>
    /// Address bits 19:12 are the destination ID and bit 2 the destination mode (logical when set; bit 3,
    /// redirection hint, only matters among several processors). Data bits 7:0 are the vector, 10:8 the
    /// delivery mode, 15 the trigger mode (SDM 11.11.1, 11.11.2).
    /// </summary>
    public void DeliverMessage(ulong address, uint data)
    {
        if ((address & 0xFFF0_0000) != IMessageSignaledInterrupts.WindowBase || !MatchesDestination((uint)(address >> 12) & 0xFF, (address & 4) != 0))
        {
            return;
        }

        switch ((data >> 8) & 7)
        {
            case DeliveryFixed or DeliveryLowestPriority:
                MessagesAccepted++;
                AcceptInterrupt((int)(data & 0xFF), levelTriggered: (data & 0x8000) != 0);
                break;
            case DeliveryNmi:
                MessagesAccepted++;
                NonMaskableInterrupt?.Invoke();
                break;
            default:
                // SMI, INIT and ExtINT messages are not modelled (as through the IOAPIC).
                break;
        }
    }
}
