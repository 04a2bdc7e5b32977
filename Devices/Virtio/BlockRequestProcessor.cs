using System.Buffers.Binary;
using System.Text;
using Devices.Storage;
using Mmu.Physical;

namespace Devices.Virtio;

/// <summary>
/// Serves virtio-blk requests (virtio 1.1 section 5.2.6): a 16-byte header (type, reserved, sector) in the
/// buffers the driver wrote, the data, and a status byte last in the buffers the device writes. Any layout of
/// those over descriptors is accepted (VIRTIO_F_ANY_LAYOUT). Bad requests get a status, never an exception.
/// A request is served in three steps so that the image I/O can run on another thread: <see cref="Prepare"/>
/// and <see cref="Finish"/> touch guest memory and the counters (CPU thread), <see cref="Execute"/> only the
/// image and the request (any thread).
/// </summary>
internal sealed class BlockRequestProcessor(PhysicalBus bus, DiskImage image, VirtioBlockCounters counters, string serial)
{
    /// <summary>The largest transfer served in one request (QEMU splits nothing either; this only bounds the buffer).</summary>
    public const int MaxTransfer = 4 << 20;

    /// <summary>max_discard_sectors and max_write_zeroes_sectors: QEMU's default (BDRV_REQUEST_MAX_SECTORS, INT_MAX / 512).</summary>
    public const uint MaxZeroSectors = int.MaxValue / DiskImage.SectorSize;

    /// <summary>max_discard_seg and max_write_zeroes_seg: one range per request, as QEMU.</summary>
    public const uint MaxZeroSegments = 1;

    private const int HeaderSize = 16;
    private const int RangeSize = 16;
    private const int IdLength = 20;

    /// <summary>Reads the request in <paramref name="request"/>'s chain; decides its status now unless image I/O is left.</summary>
    public void Prepare(BlockRequest request)
    {
        List<VirtqueueSegment> chain = request.Chain;
        request.Operation = BlockOperation.None;
        request.Length = 0;
        request.DataWritten = 0;
        request.Status = BlockRequestType.StatusOk;
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

        request.Writable = writable;
        if (writable == 0)
        {
            return; // nowhere to put a status: the request is returned unserved
        }

        counters.Requests++;
        Span<byte> header = stackalloc byte[HeaderSize];
        if (readable < HeaderSize)
        {
            request.Status = BlockRequestType.StatusIoError;
            return;
        }

        Gather(chain, 0, header);
        uint type = BinaryPrimitives.ReadUInt32LittleEndian(header);
        ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        switch (type)
        {
            case BlockRequestType.In:
                Transfer(request, sector, writable - 1, BlockOperation.Read);
                break;
            case BlockRequestType.Out:
                if (Transfer(request, sector, readable - HeaderSize, BlockOperation.Write))
                {
                    Gather(chain, HeaderSize, request.Data);
                }

                break;
            case BlockRequestType.Flush:
                counters.Flushes++;
                request.Operation = BlockOperation.Flush;
                break;
            case BlockRequestType.GetId:
                {
                    Span<byte> id = stackalloc byte[IdLength];
                    id.Clear();
                    Encoding.ASCII.GetBytes(serial.AsSpan(0, Math.Min(serial.Length, IdLength)), id);
                    int n = (int)Math.Min(IdLength, writable - 1);
                    Scatter(chain, 0, id[..n]);
                    request.DataWritten = (uint)n;
                    break;
                }

            case BlockRequestType.Discard:
                counters.Discards++;
                PrepareZero(request, readable - HeaderSize, discard: true);
                break;
            case BlockRequestType.WriteZeroes:
                counters.WriteZeroes++;
                PrepareZero(request, readable - HeaderSize, discard: false);
                break;
            default:
                request.Status = BlockRequestType.StatusUnsupported;
                break;
        }
    }

    /// <summary>Does the image I/O a prepared request asks for (thread-safe: touches only the image and the request).</summary>
    public void Execute(BlockRequest request)
    {
        bool ok = request.Operation switch
        {
            BlockOperation.None => true,
            BlockOperation.Read => image.Read(request.Offset, request.Data),
            BlockOperation.Write => image.Write(request.Offset, request.Data),
            BlockOperation.Flush => image.Flush(),
            BlockOperation.Discard or BlockOperation.WriteZeroesUnmap => image.Zero(request.Offset, request.Length, deallocate: true),
            _ => image.Zero(request.Offset, request.Length, deallocate: false),
        };
        if (!ok)
        {
            request.Status = BlockRequestType.StatusIoError;
        }
    }

    /// <summary>Copies a read's data into the chain and writes the status byte; returns the used length (data and status).</summary>
    public uint Finish(BlockRequest request)
    {
        if (request.Writable == 0)
        {
            return 0;
        }

        if (request.Status == BlockRequestType.StatusOk)
        {
            switch (request.Operation)
            {
                case BlockOperation.Read:
                    Scatter(request.Chain, 0, request.Data);
                    counters.BytesRead += request.Length;
                    request.DataWritten = (uint)request.Length;
                    break;
                case BlockOperation.Write:
                    counters.BytesWritten += request.Length;
                    break;
            }
        }

        Span<byte> s = [request.Status];
        Scatter(request.Chain, request.Writable - 1, s);
        return request.DataWritten + 1;
    }

    /// <summary>A read or write of <paramref name="length"/> bytes at <paramref name="sector"/>; false (status IOERR) when out of range.</summary>
    private bool Transfer(BlockRequest request, ulong sector, long length, BlockOperation operation)
    {
        if (!InRange(sector, length) || length > MaxTransfer)
        {
            request.Status = BlockRequestType.StatusIoError;
            return false;
        }

        request.Operation = operation;
        request.Offset = (long)sector * DiskImage.SectorSize;
        request.Size(length);
        return true;
    }

    /// <summary>
    /// DISCARD and WRITE_ZEROES: the data is struct virtio_blk_discard_write_zeroes (sector, num_sectors, flags).
    /// More ranges than <see cref="MaxZeroSegments"/> or an unknown flag (UNMAP on a discard included) is UNSUPP;
    /// a range over the limit or past the end, or a read-only image, is IOERR (5.2.6.2).
    /// </summary>
    private void PrepareZero(BlockRequest request, long payload, bool discard)
    {
        if (payload <= 0 || payload % RangeSize != 0 || payload / RangeSize > MaxZeroSegments)
        {
            request.Status = BlockRequestType.StatusUnsupported;
            return;
        }

        Span<byte> range = stackalloc byte[RangeSize];
        Gather(request.Chain, HeaderSize, range);
        ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(range);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(range[8..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(range[12..]);
        if ((flags & ~(discard ? 0 : BlockRequestType.FlagUnmap)) != 0)
        {
            request.Status = BlockRequestType.StatusUnsupported;
            return;
        }

        long length = (long)count * DiskImage.SectorSize;
        if (image.ReadOnly || count > MaxZeroSectors || !InRange(sector, length))
        {
            request.Status = BlockRequestType.StatusIoError;
            return;
        }

        request.Operation = discard ? BlockOperation.Discard
            : (flags & BlockRequestType.FlagUnmap) != 0 ? BlockOperation.WriteZeroesUnmap : BlockOperation.WriteZeroes;
        request.Offset = (long)sector * DiskImage.SectorSize;
        request.Length = length;
    }

    private bool InRange(ulong sector, long length) =>
        length >= 0 && length % DiskImage.SectorSize == 0
        && sector <= (ulong)(image.Length / DiskImage.SectorSize)
        && ((long)sector * DiskImage.SectorSize) + length <= image.Length;

    /// <summary>Copies the driver-written bytes from <paramref name="offset"/> (counted over those buffers only).</summary>
    private void Gather(List<VirtqueueSegment> chain, long offset, Span<byte> into)
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
    private void Scatter(List<VirtqueueSegment> chain, long offset, ReadOnlySpan<byte> from)
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
    private static bool Locate(List<VirtqueueSegment> chain, bool deviceWrites, long offset, out ulong address, out long available)
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
