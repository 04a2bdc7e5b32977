namespace Cpu.Translation;

/// <summary>
/// Which instruction last set the flags inside the block being emitted, when the emitter knows it: a
/// condition read right after (CMP + Jcc, DEC + JNZ, TEST + SETcc) is then computed from that
/// instruction's operands and result in IL locals instead of from the lazy-flag record. The record is
/// still written, since the flags stay live after the block.
/// </summary>
public enum FlagProducer
{
    /// <summary>Not known here (block entry, or an instruction whose flags are not modelled): use the lazy flags.</summary>
    Unknown,

    /// <summary>SUB or CMP: left - right.</summary>
    Subtract,

    /// <summary>AND, OR, XOR or TEST: CF = OF = 0, the rest from the result.</summary>
    Logic,

    /// <summary>ADD: ZF and SF from the result.</summary>
    Add,

    /// <summary>INC or DEC: ZF and SF from the result (CF is the older one's).</summary>
    IncrementDecrement,
}
