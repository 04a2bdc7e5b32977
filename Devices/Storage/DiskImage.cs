using Microsoft.Win32.SafeHandles;

namespace Devices.Storage;

/// <summary>
/// A raw disk image file. Writes go straight to the file (no buffering in emu), so what the guest was told is
/// written survives emu being killed; <see cref="Flush"/> forces it to stable storage (fsync). The file is
/// locked against a second emu (an exclusive lock read-write, a shared one read-only; .NET takes them with
/// flock on Unix, which QEMU's byte-range locks do not see).
/// </summary>
public sealed class DiskImage : IDisposable
{
    public const int SectorSize = 512;

    private static readonly byte[] ZeroBlock = new byte[64 * 1024];

    private readonly FileStream stream;

    private DiskImage(FileStream stream, string path, bool readOnly)
    {
        this.stream = stream;
        Path = path;
        ReadOnly = readOnly;
        Length = stream.Length;
    }

    public string Path { get; }

    public bool ReadOnly { get; }

    /// <summary>Bytes in the image (a whole number of sectors).</summary>
    public long Length { get; }

    private SafeFileHandle Handle => stream.SafeFileHandle;

    /// <exception cref="DiskImageException">The image cannot be used (the message is one line for the user).</exception>
    public static DiskImage Open(string path, bool readOnly)
    {
        if (!File.Exists(path))
        {
            throw new DiskImageException(Directory.Exists(path) ? $"disk image {path} is a directory" : $"disk image not found: {path}");
        }

        FileStream stream;
        try
        {
            stream = new FileStream(
                path,
                FileMode.Open,
                readOnly ? FileAccess.Read : FileAccess.ReadWrite,
                readOnly ? FileShare.Read : FileShare.None,
                bufferSize: 0);
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            throw new DiskImageException($"disk image {path} is locked or unreadable (in use by another emu?): {ex.Message}");
        }
        catch (UnauthorizedAccessException)
        {
            throw new DiskImageException($"disk image {path} cannot be opened {(readOnly ? "for reading" : "for writing (add readonly=on to use it read-only)")}");
        }

        if (stream.Length == 0 || stream.Length % SectorSize != 0)
        {
            long length = stream.Length;
            stream.Dispose();
            throw new DiskImageException($"disk image {path} is {length} bytes, not a non-zero whole number of {SectorSize}-byte sectors");
        }

        return new DiskImage(stream, path, readOnly);
    }

    /// <summary>Reads <paramref name="data"/>.Length bytes at <paramref name="offset"/>; false on a host I/O error.</summary>
    public bool Read(long offset, Span<byte> data)
    {
        try
        {
            int done = 0;
            while (done < data.Length)
            {
                int n = RandomAccess.Read(Handle, data[done..], offset + done);
                if (n <= 0)
                {
                    return false;
                }

                done += n;
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>; false on a host I/O error or a read-only image.</summary>
    public bool Write(long offset, ReadOnlySpan<byte> data)
    {
        if (ReadOnly)
        {
            return false;
        }

        try
        {
            RandomAccess.Write(Handle, data, offset);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Makes <paramref name="length"/> bytes at <paramref name="offset"/> read as zeros. With
    /// <paramref name="deallocate"/> the range is punched out of the file (a hole) where the host allows it;
    /// otherwise, or when it cannot, zeros are written. False on a host I/O error or a read-only image.
    /// </summary>
    public bool Zero(long offset, long length, bool deallocate)
    {
        if (ReadOnly)
        {
            return false;
        }

        if (deallocate && HolePunch.TryPunch(Handle, offset, length))
        {
            return true;
        }

        ReadOnlySpan<byte> zeros = ZeroBlock;
        for (long done = 0; done < length; done += zeros.Length)
        {
            if (!Write(offset + done, zeros[..(int)Math.Min(zeros.Length, length - done)]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Forces written data to stable storage; false on a host I/O error.</summary>
    public bool Flush()
    {
        if (ReadOnly)
        {
            return true;
        }

        try
        {
            stream.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose() => stream.Dispose();
}
