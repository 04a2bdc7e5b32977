namespace Cpu.Translation;

/// <summary>
/// Why a run of compiled code ended (<see cref="JitCounters.Exits"/>, the <c>--stats</c> line "jit block
/// exits"): each run of a compiled block ends in exactly one of these.
/// </summary>
public enum BlockExit
{
    /// <summary>Went on into the next block's compiled code without the dispatcher.</summary>
    Chained,

    /// <summary>The next block is known but not compiled (yet): the dispatcher runs it and counts it for tier-up.</summary>
    NotCompiled,

    /// <summary>The next block is not in the links, the target cache or the block cache, or its page has no TLB entry.</summary>
    NotFound,

    /// <summary>The block is compiled only up to an instruction left to the interpreter, which runs the rest.</summary>
    Interpreted,

    /// <summary>The instruction budget (a device event's deadline, an interrupt shadow) ended, or the next block does not fit it.</summary>
    Budget,

    /// <summary><see cref="TieredCompiler.MaxChainedBlocks"/> blocks ran: the dispatcher looks at interrupts.</summary>
    ChainLimit,

    /// <summary>A loop onto itself made its <see cref="BlockEmitter.MaxPassesPerEntry"/> passes.</summary>
    PassLimit,

    /// <summary>Something the dispatcher must take first: a deliverable interrupt, an NMI, a stop, a halt, a debug trap, a mode the chain does not follow.</summary>
    Event,

    /// <summary>An instruction asked for the dispatcher (a repeated string instruction's slice, POPF, a far transfer it could not follow...).</summary>
    EndedByInstruction,

    /// <summary>A write hit code: the written blocks were invalidated.</summary>
    CodeWrite,

    /// <summary>A guest exception left compiled code.</summary>
    Fault,
}
