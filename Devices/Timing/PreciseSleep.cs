using System.Runtime.InteropServices;

namespace Devices.Timing;

/// <summary>
/// Sleeps the calling thread for less than a millisecond, which <see cref="WaitHandle"/> and
/// <see cref="Thread.Sleep(int)"/> cannot (they count whole milliseconds): POSIX nanosleep, whose
/// lateness is the kernel's timer slack (50 us by default on Linux).
/// </summary>
internal static partial class PreciseSleep
{
    /// <summary>Sleeps about <paramref name="nanoseconds"/>; a signal may end it early (callers re-check their deadline).</summary>
    public static void Sleep(long nanoseconds)
    {
        if (nanoseconds <= 0)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Thread.Sleep(1); // a millisecond late rather than a spin
            return;
        }

        var request = new TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        _ = NanoSleep(ref request, IntPtr.Zero);
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(ref TimeSpec request, IntPtr remaining);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
