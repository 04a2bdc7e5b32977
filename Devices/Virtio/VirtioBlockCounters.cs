namespace Devices.Virtio;

/// <summary>What one virtio-blk device counted (emu run --stats).</summary>
public sealed class VirtioBlockCounters
{
    /// <summary>Requests completed (any type).</summary>
    public long Requests { get; internal set; }

    public long BytesRead { get; internal set; }

    public long BytesWritten { get; internal set; }

    public long Flushes { get; internal set; }

    /// <summary>DISCARD requests (served or refused).</summary>
    public long Discards { get; internal set; }

    /// <summary>WRITE_ZEROES requests (served or refused).</summary>
    public long WriteZeroes { get; internal set; }

    /// <summary>Queue notifications (doorbell writes) from the driver.</summary>
    public long Notifications { get; internal set; }

    /// <summary>Interrupts raised (the INTx line going up, or an MSI-X message sent).</summary>
    public long Interrupts { get; internal set; }
}
