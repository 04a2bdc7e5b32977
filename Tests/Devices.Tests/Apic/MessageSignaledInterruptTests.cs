using Devices.Apic;
using Devices.Tests.Support;

namespace Devices.Tests.Apic;

/// <summary>MSI messages into the local APIC (Intel SDM Vol. 3A, 11.11): destination in the address, vector, delivery and trigger mode in the data.</summary>
public class MessageSignaledInterruptTests
{
    private static LocalApic Enabled()
    {
        var apic = new LocalApic(new FakeCpuClock().Clock);
        apic.Write(0xF0, 4, 0x1FF); // SVR: software enable
        return apic;
    }

    [Fact]
    public void AFixedEdgeMessageToThisApicLandsInIrr()
    {
        LocalApic apic = Enabled();
        apic.DeliverMessage(0xFEE0_0000, 0x0000_0051); // physical destination 0, fixed, edge, vector 0x51
        Assert.True(apic.HasPendingInterrupt);
        Assert.Equal(0x51, apic.Acknowledge());
        Assert.Equal(0u, (uint)apic.Read(0x180, 4) & (1u << 0x11)); // TMR bit 0x51 clear: edge
        Assert.Equal(1, apic.MessagesAccepted);
    }

    [Fact]
    public void ALevelMessageSetsTmrAndAnNmiMessageGoesToTheNmiInput()
    {
        LocalApic apic = Enabled();
        apic.DeliverMessage(0xFEE0_0000, 0x0000_8062); // level, vector 0x62
        Assert.NotEqual(0u, (uint)apic.Read(0x1B0, 4) & (1u << 2)); // TMR word 3 (vectors 0x60-0x7F), bit 2
        int nmis = 0;
        apic.NonMaskableInterrupt += () => nmis++;
        apic.DeliverMessage(0xFEE0_0000, 0x0000_0400); // delivery mode 100b: NMI
        Assert.Equal(1, nmis);
    }

    [Fact]
    public void AMessageForAnotherApicOrOutsideTheWindowIsNotAccepted()
    {
        LocalApic apic = Enabled();
        apic.DeliverMessage(0xFEE0_5000, 0x51); // physical destination 5: not this APIC (ID 0)
        apic.DeliverMessage(0xFED0_0000, 0x51); // not the message window
        Assert.False(apic.HasPendingInterrupt);
        apic.Write(0xD0, 4, 0x0100_0000); // LDR: logical ID 1 (flat model)
        apic.DeliverMessage(0xFEE0_1004, 0x52); // logical destination 1
        Assert.Equal(0x52, apic.Acknowledge());
        apic.DeliverMessage(0xFEE0_0000, 0x05); // vector 5 is illegal: a receive error, not an interrupt
        Assert.False(apic.HasPendingInterrupt);
    }
}
