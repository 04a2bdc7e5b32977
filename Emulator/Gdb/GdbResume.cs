namespace Emulator.Gdb;

/// <summary>What a handled packet asks of the machine after its reply.</summary>
public enum GdbResume
{
    /// <summary>Stay stopped and read the next packet.</summary>
    None,

    /// <summary>Run until a breakpoint, a watchpoint or an interrupt (<c>c</c>, <c>vCont;c</c>).</summary>
    Continue,

    /// <summary>Run one instruction (<c>s</c>, <c>vCont;s</c>).</summary>
    Step,

    /// <summary>Forget the debugger's breakpoints and run on without it (<c>D</c>).</summary>
    Detach,

    /// <summary>End the run (<c>k</c>).</summary>
    Kill,
}
