using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Devices.Storage;

/// <summary>
/// Deallocating a range of a file so that it reads as zeros: Linux fallocate(2) with FALLOC_FL_PUNCH_HOLE |
/// FALLOC_FL_KEEP_SIZE. Where that is not available (another OS, a file system without holes) the caller
/// writes zeros instead.
/// </summary>
internal static partial class HolePunch
{
    private const int KeepSize = 0x01;
    private const int PunchHole = 0x02;

    /// <summary>Punches a hole of <paramref name="length"/> bytes at <paramref name="offset"/>; false when the host cannot.</summary>
    public static bool TryPunch(SafeFileHandle handle, long offset, long length)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Fallocate((int)handle.DangerousGetHandle(), PunchHole | KeepSize, offset, length) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(int fd, int mode, long offset, long length);
}
