using Devices.Interrupts;

namespace Devices.Tests.Virtio;

/// <summary>An MSI sink that records each message instead of delivering it.</summary>
internal sealed class RecordedMessages(List<(ulong Address, uint Data)> into) : IMessageSignaledInterrupts
{
    public void DeliverMessage(ulong address, uint data) => into.Add((address, data));
}
