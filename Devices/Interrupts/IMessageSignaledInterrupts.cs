namespace Devices.Interrupts;

/// <summary>Where a device's MSI or MSI-X message goes: a DWORD write to the local APIC's message window (Intel SDM 11.11).</summary>
public interface IMessageSignaledInterrupts
{
    /// <summary>The message window: addresses 0xFEExxxxx (SDM 11.11.1).</summary>
    const ulong WindowBase = 0xFEE0_0000;

    /// <summary>Accepts the message <paramref name="data"/> written to <paramref name="address"/> (in the window).</summary>
    void DeliverMessage(ulong address, uint data);
}
