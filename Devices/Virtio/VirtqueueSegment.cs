namespace Devices.Virtio;

/// <summary>One buffer of a descriptor chain: guest-physical address, length, and whether the device writes it.</summary>
public readonly record struct VirtqueueSegment(ulong Address, uint Length, bool DeviceWrites);
