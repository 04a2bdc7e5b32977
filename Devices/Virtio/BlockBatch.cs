namespace Devices.Virtio;

/// <summary>
/// The requests one notification took from the ring, completed together at <see cref="Deadline"/> on the
/// virtual clock. <see cref="Done"/> is set (by the I/O worker, or at once when served inline) when their
/// image I/O has finished.
/// </summary>
internal sealed class BlockBatch
{
    private readonly ManualResetEventSlim done = new(false);

    public List<BlockRequest> Requests { get; } = [];

    /// <summary>The virtual time at which the requests are returned to the driver.</summary>
    public long Deadline { get; set; }

    public bool Done => done.IsSet;

    /// <summary>Whether any request still needs the image (otherwise there is nothing to hand to the worker).</summary>
    public bool NeedsImage
    {
        get
        {
            foreach (BlockRequest r in Requests)
            {
                if (r.Operation != BlockOperation.None)
                {
                    return true;
                }
            }

            return false;
        }
    }

    public void MarkDone() => done.Set();

    /// <summary>Blocks until the image I/O has finished (the deterministic clock reached the deadline first).</summary>
    public void WaitDone() => done.Wait();

    /// <summary>Empties the batch for reuse (its requests go back to the device's pool first).</summary>
    public void Clear()
    {
        Requests.Clear();
        done.Reset();
    }
}
