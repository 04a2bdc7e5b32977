namespace Devices.Virtio;

/// <summary>
/// One virtio-blk request between being taken from the ring and being returned to it. The CPU thread fills it
/// from guest memory (<see cref="BlockRequestProcessor.Prepare"/>), the image I/O (<see cref="BlockRequestProcessor.Execute"/>)
/// may run on the I/O worker, and the CPU thread copies the result back (<see cref="BlockRequestProcessor.Finish"/>):
/// guest memory is touched only on the CPU thread, at deterministic points.
/// </summary>
internal sealed class BlockRequest
{
    private byte[] buffer = new byte[64 * 1024];

    /// <summary>The chain's head descriptor index, returned in the used ring.</summary>
    public ushort Head { get; set; }

    /// <summary>The chain's buffers, copied out of the queue's scratch list.</summary>
    public List<VirtqueueSegment> Chain { get; } = [];

    /// <summary>Bytes in the device-writable buffers (data and status).</summary>
    public long Writable { get; set; }

    /// <summary>The image operation left to do, or <see cref="BlockOperation.None"/> when <see cref="Status"/> is final.</summary>
    public BlockOperation Operation { get; set; }

    /// <summary>Byte offset in the image of the read, write or zeroed range.</summary>
    public long Offset { get; set; }

    /// <summary>Bytes read, written or zeroed.</summary>
    public long Length { get; set; }

    /// <summary>Bytes the device writes into the chain before the status (data read, the ID).</summary>
    public uint DataWritten { get; set; }

    public byte Status { get; set; }

    /// <summary>The data of a read or write (its first <see cref="Length"/> bytes).</summary>
    public Span<byte> Data => buffer.AsSpan(0, (int)Length);

    /// <summary>Makes <see cref="Data"/> hold <paramref name="length"/> bytes (the buffer is kept for the next request).</summary>
    public void Size(long length)
    {
        if (buffer.Length < length)
        {
            buffer = new byte[Math.Max(length, buffer.Length * 2L)];
        }

        Length = length;
    }
}
