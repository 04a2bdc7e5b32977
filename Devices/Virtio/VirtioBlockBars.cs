namespace Devices.Virtio;

/// <summary>Where firmware placed a virtio-blk function's BARs: the legacy I/O BAR0, the MSI-X BAR1 and the modern BAR4.</summary>
public readonly record struct VirtioBlockBars(uint Io, uint Msix, uint Modern);
