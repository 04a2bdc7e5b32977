using System.Buffers.Binary;
using System.Text;
using Devices.Storage;
using Mmu.Physical;

namespace Devices.Virtio;

/// <summary>
/// Serves one virtio-blk request (virtio 1.1 section 5.2.6): a 16-byte header (type, reserved, sector) in the
/// buffers the driver wrote, the data, and a status byte last in the buffers the device writes. Any layout of
/// those over descriptors is accepted (VIRTIO_F_ANY_LAYOUT). Bad requests get a status, never an exception.
/// </summary>
internal sealed class BlockRequestProcessor(PhysicalBus bus, DiskImage image, VirtioBlockCounters counters, string serial)
{
    /// <summary>The largest transfer served in one request (QEMU splits nothing either; this only bounds the buffer).</summary>
    public const int MaxTransfer = 4 << 20;

    private const int HeaderSize = 16;
    private const int IdLength = 20;

    private byte[] buffer = new byte[64 * 1024];

    /// <summary>Performs the request in <paramref name="chain"/>; returns the bytes written into its device-writable buffers.</summary>
    public uint Process(IReadOnlyList<VirtqueueSegment> chain)
    {
        long readable = 0, writable = 0;
        foreach (VirtqueueSegment s in chain)
        {
            if (s.DeviceWrites)
            {
                writable += s.Length;
            }
            else
            {
                readable += s.Length;
            }
        }

        if (writable == 0)
        {
            return 0; // nowhere to put a status: the request is returned unserved
        }

        counters.Requests++;
        Span<byte> header = stackalloc byte[HeaderSize];
        if (readable < HeaderSize)
        {
            return Finish(chain, writable, 0, BlockRequestType.StatusIoError);
        }

        Gather(chain, 0, header);
        uint type = BinaryPrimitives.ReadUInt32LittleEndian(header);
        ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        switch (type)
        {
            case BlockRequestType.In:
                {
                    long length = writable - 1;
                    if (!InRange(sector, length))
                    {
                        return Finish(chain, writable, 0, BlockRequestType.StatusIoError);
                    }

                    Span<byte> data = Buffer((int)length);
                    if (!image.Read((long)sector * DiskImage.SectorSize, data))
                    {
                        return Finish(chain, writable, 0, BlockRequestType.StatusIoError);
                    }

                    Scatter(chain, 0, data);
                    counters.BytesRead += length;
                    return Finish(chain, writable, (uint)length, BlockRequestType.StatusOk);
                }

            case BlockRequestType.Out:
                {
                    long length = readable - HeaderSize;
                    if (!InRange(sector, length))
                    {
                        return Finish(chain, writable, 0, BlockRequestType.StatusIoError);
                    }

                    Span<byte> data = Buffer((int)length);
                    Gather(chain, HeaderSize, data);
                    if (!image.Write((long)sector * DiskImage.SectorSize, data))
                    {
                        return Finish(chain, writable, 0, BlockRequestType.StatusIoError);
                    }

                    counters.BytesWritten += length;
                    return Finish(chain, writable, 0, BlockRequestType.StatusOk);
                }

            case BlockRequestType.Flush:
                counters.Flushes++;
                return Finish(chain, writable, 0, image.Flush() ? BlockRequestType.StatusOk : BlockRequestType.StatusIoError);

            case BlockRequestType.GetId:
                {
                    Span<byte> id = stackalloc byte[IdLength];
                    id.Clear();
                    Encoding.ASCII.GetBytes(serial.AsSpan(0, Math.Min(serial.Length, IdLength)), id);
                    int n = (int)Math.Min(IdLength, writable - 1);
                    Scatter(chain, 0, id[..n]);
                    return Finish(chain, writable, (uint)n, BlockRequestType.StatusOk);
                }

            default:
                return Finish(chain, writable, 0, BlockRequestType.StatusUnsupported);
        }
    }

    private bool InRange(ulong sector, long length) =>
        length >= 0 && length <= MaxTransfer && length % DiskImage.SectorSize == 0
        && sector <= (ulong)(image.Length / DiskImage.SectorSize)
        && ((long)sector * DiskImage.SectorSize) + length <= image.Length;

    private Span<byte> Buffer(int length)
    {
        if (buffer.Length < length)
        {
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        }

        return buffer.AsSpan(0, length);
    }

    /// <summary>Writes the status byte as the last device-writable byte; the used length counts data and status.</summary>
    private uint Finish(IReadOnlyList<VirtqueueSegment> chain, long writable, uint dataWritten, byte status)
    {
        Span<byte> s = [status];
        Scatter(chain, writable - 1, s);
        return dataWritten + 1;
    }

    /// <summary>Copies the driver-written bytes from <paramref name="offset"/> (counted over those buffers only).</summary>
    private void Gather(IReadOnlyList<VirtqueueSegment> chain, long offset, Span<byte> into)
    {
        int done = 0;
        while (done < into.Length && Locate(chain, deviceWrites: false, offset + done, out ulong address, out long available))
        {
            int n = (int)Math.Min(available, into.Length - done);
            bus.ReadDma(address, into.Slice(done, n));
            done += n;
        }
    }

    /// <summary>Copies into the device-writable buffers at <paramref name="offset"/> (counted over those buffers only).</summary>
    private void Scatter(IReadOnlyList<VirtqueueSegment> chain, long offset, ReadOnlySpan<byte> from)
    {
        int done = 0;
        while (done < from.Length && Locate(chain, deviceWrites: true, offset + done, out ulong address, out long available))
        {
            int n = (int)Math.Min(available, from.Length - done);
            bus.WriteDma(address, from.Slice(done, n));
            done += n;
        }
    }

    /// <summary>Where byte <paramref name="offset"/> of the chain's driver-written (or device-written) buffers is, and how many follow it in that buffer.</summary>
    private static bool Locate(IReadOnlyList<VirtqueueSegment> chain, bool deviceWrites, long offset, out ulong address, out long available)
    {
        long at = 0;
        foreach (VirtqueueSegment s in chain)
        {
            if (s.DeviceWrites != deviceWrites)
            {
                continue;
            }

            if (offset < at + s.Length)
            {
                address = s.Address + (ulong)(offset - at);
                available = at + s.Length - offset;
                return true;
            }

            at += s.Length;
        }

        address = 0;
        available = 0;
        return false;
    }
}
