using System.Collections.Concurrent;

namespace Devices.Virtio;

/// <summary>
/// A host thread that does a disk's image I/O (reads, writes, fsync, hole punching) while the guest runs,
/// batches in the order submitted, so a read sees every write the driver submitted before it. It touches only
/// the image and the requests' own buffers; guest memory and the counters stay with the CPU thread.
/// </summary>
internal sealed class BlockIoWorker : IDisposable
{
    private readonly BlockRequestProcessor processor;
    private readonly ConcurrentQueue<BlockBatch> queue = new();
    private readonly SemaphoreSlim submitted = new(0);
    private readonly Thread thread;
    private volatile bool stopping;

    public BlockIoWorker(BlockRequestProcessor processor, string name)
    {
        this.processor = processor;
        thread = new Thread(Run) { IsBackground = true, Name = name };
        thread.Start();
    }

    public void Submit(BlockBatch batch)
    {
        queue.Enqueue(batch);
        submitted.Release();
    }

    /// <summary>Stops the thread after the batches already submitted.</summary>
    public void Dispose()
    {
        stopping = true;
        submitted.Release();
        thread.Join();
        submitted.Dispose();
    }

    private void Run()
    {
        while (true)
        {
            submitted.Wait();
            if (queue.TryDequeue(out BlockBatch? batch))
            {
                foreach (BlockRequest r in batch.Requests)
                {
                    processor.Execute(r);
                }

                batch.MarkDone();
            }
            else if (stopping)
            {
                return;
            }
        }
    }
}
