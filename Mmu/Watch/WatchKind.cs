namespace Mmu.Watch;

/// <summary>Which data accesses a watchpoint reports (DR7 R/W encodings 01 and 11, and gdb's read-only watch).</summary>
public enum WatchKind
{
    /// <summary>Writes only (DR7 R/W = 01; gdb Z2).</summary>
    Write,

    /// <summary>Reads only (gdb Z3; no DR7 encoding: the debugger's hardware emulation can do it).</summary>
    Read,

    /// <summary>Reads and writes (DR7 R/W = 11; gdb Z4).</summary>
    Access,
}
