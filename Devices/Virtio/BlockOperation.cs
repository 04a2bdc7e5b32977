namespace Devices.Virtio;

/// <summary>What a prepared <see cref="BlockRequest"/> still asks of the image.</summary>
internal enum BlockOperation
{
    /// <summary>Nothing: the request's status is already decided (a bad request, GET_ID).</summary>
    None,
    Read,
    Write,
    Flush,

    /// <summary>Deallocate the range (a hole that reads as zeros).</summary>
    Discard,

    /// <summary>Zero the range by writing zeros.</summary>
    WriteZeroes,

    /// <summary>Zero the range, deallocating it if the host can (VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP).</summary>
    WriteZeroesUnmap,
}
