using System.Runtime.InteropServices;

namespace Emulator.Cli;

/// <summary>
/// Puts the terminal on stdin in raw mode while COM1 is on stdio, as QEMU does: keys (arrows, Ctrl-C) reach the
/// guest as the terminal sends them, without local echo or line editing; output keeps its newline translation.
/// The saved settings are restored on every way out: Dispose, process exit, and SIGTERM/SIGHUP/SIGQUIT/SIGINT.
/// Only on Linux (termios via libc); elsewhere, or when stdin is not a terminal, it does nothing.
/// </summary>
public sealed unsafe partial class TerminalRawMode : IDisposable
{
    private const int StdinFd = 0;
    private const int TermiosSize = 256; // larger than Linux's struct termios (60 bytes)
    private const int OutputFlagsOffset = 4; // c_oflag follows c_iflag
    private const uint Opost = 0x1, Onlcr = 0x4;

    private readonly byte[] saved = new byte[TermiosSize];
    private readonly List<PosixSignalRegistration> signals = [];
    private int restored;

    private TerminalRawMode()
    {
    }

    /// <summary>Raw mode on stdin's terminal, or null when stdin is not a terminal (or not on Linux).</summary>
    public static TerminalRawMode? TryEnter()
    {
        if (!OperatingSystem.IsLinux() || isatty(StdinFd) != 1)
        {
            return null;
        }

        var mode = new TerminalRawMode();
        byte[] raw = new byte[TermiosSize];
        fixed (byte* s = mode.saved)
        fixed (byte* r = raw)
        {
            if (tcgetattr(StdinFd, s) != 0)
            {
                return null;
            }

            new ReadOnlySpan<byte>(s, TermiosSize).CopyTo(new Span<byte>(r, TermiosSize));
            cfmakeraw(r);
            *(uint*)(r + OutputFlagsOffset) |= Opost | Onlcr; // the guest writes "\n"; the terminal needs "\r\n" (QEMU keeps OPOST too)
            if (tcsetattr(StdinFd, 0, r) != 0)
            {
                return null;
            }
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => mode.Restore();
        foreach (PosixSignal signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT, PosixSignal.SIGINT })
        {
            mode.signals.Add(PosixSignalRegistration.Create(signal, _ => mode.Restore()));
        }

        return mode;
    }

    /// <summary>Puts the saved settings back (once; safe from any thread).</summary>
    public void Restore()
    {
        if (Interlocked.Exchange(ref restored, 1) != 0)
        {
            return;
        }

        fixed (byte* s = saved)
        {
            _ = tcsetattr(StdinFd, 0, s);
        }
    }

    public void Dispose()
    {
        Restore();
        foreach (PosixSignalRegistration registration in signals)
        {
            registration.Dispose();
        }
    }

    [LibraryImport("libc")]
    private static partial int isatty(int fd);

    [LibraryImport("libc")]
    private static partial int tcgetattr(int fd, byte* termios);

    [LibraryImport("libc")]
    private static partial int tcsetattr(int fd, int optionalActions, byte* termios);

    [LibraryImport("libc")]
    private static partial void cfmakeraw(byte* termios);
}
