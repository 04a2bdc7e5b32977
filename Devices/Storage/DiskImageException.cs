namespace Devices.Storage;

/// <summary>A disk image cannot be used: missing, locked, unreadable or of a size that is not whole sectors.</summary>
public sealed class DiskImageException(string message) : Exception(message);
