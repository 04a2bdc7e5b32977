namespace Emulator.Cli;

/// <summary>
/// The exit statuses of `emu`. The guest's isa-debug-exit statuses are always odd
/// ((value &lt;&lt; 1) | 1), so emu's own failures use even numbers and never collide with them.
/// </summary>
public static class ExitStatus
{
    /// <summary>The guest powered off, halted for good or reset the machine.</summary>
    public const int GuestStopped = 0;

    /// <summary>A bad flag or argument (unknown flag, malformed or too small --mem, ...).</summary>
    public const int UsageError = 2;

    /// <summary>The kernel or a module cannot be booted (missing, not multiboot, truncated, does not fit), or a disk image cannot be used (missing, locked, not whole sectors).</summary>
    public const int BadImage = 4;

    /// <summary>--timeout passed before the guest stopped.</summary>
    public const int Timeout = 6;

    /// <summary>The guest triple-faulted.</summary>
    public const int TripleFault = 8;

    /// <summary>A bug in emu (reported with the guest RIP) or a part that is not built yet (the CPU interpreter).</summary>
    public const int InternalError = 10;

    /// <summary>A feature that is not available here: --display window with no display to open it on.</summary>
    public const int NotAvailable = 12;

    /// <summary>The user closed the window (or typed the host key + Q), which powered the machine off.</summary>
    public const int WindowClosed = 14;

    /// <summary>The guest ran, but an output asked for (--stats-json, --screenshot) could not be written.</summary>
    public const int OutputError = 16;

    /// <summary>The table printed in --help and the README.</summary>
    public const string Table =
        "Exit status: the guest's isa-debug-exit status ((value << 1) | 1, always odd) when it uses one; "
        + "0 when the guest powers off, halts for good or (with --no-reboot) resets; 2 bad flag or argument; 4 bad kernel, module or disk image; "
        + "6 timeout; 8 triple fault; 10 internal error; 12 not available here (--display window without a display); "
        + "14 the window was closed, which powered the machine off; 16 an output file could not be written after the run.";
}
