namespace Devices.Virtio;

/// <summary>virtio-blk request types and status values (virtio 1.1 section 5.2.6).</summary>
public static class BlockRequestType
{
    public const uint In = 0;
    public const uint Out = 1;
    public const uint Flush = 4;
    public const uint GetId = 8;
    public const uint Discard = 11;
    public const uint WriteZeroes = 13;
    public const byte StatusOk = 0;
    public const byte StatusIoError = 1;
    public const byte StatusUnsupported = 2;

    /// <summary>struct virtio_blk_discard_write_zeroes flags: the device may deallocate the zeroed range (5.2.6).</summary>
    public const uint FlagUnmap = 1;
}
