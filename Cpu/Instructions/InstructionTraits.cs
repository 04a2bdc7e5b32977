namespace Cpu.Instructions;

/// <summary>What the engines must know about an instruction form besides its semantics and operands.</summary>
[Flags]
public enum InstructionTraits
{
    None = 0,

    /// <summary>The decoded block ends after it: it may change the mode, paging, IF, a segment or the code.</summary>
    EndsBlock = 1,

    /// <summary>
    /// Leaves compiled code by nature (mode switches, HLT, paging and control-register writes, far
    /// transfers, IRET, interrupts): the JIT ends its prefix before it and the interpreter runs it.
    /// </summary>
    Interpreted = 2,

    /// <summary>May raise a guest exception whatever its operands (a memory operand always may).</summary>
    MayFault = 4,

    /// <summary>Raises #GP outside CPL 0 (or, for CLI/STI/IN/OUT, without I/O privilege).</summary>
    Privileged = 8,

    /// <summary>Its semantics may set RIP elsewhere than the next instruction (jumps, calls, returns, loops).</summary>
    Branch = 16,

    /// <summary>Whether it writes the arithmetic flags depends on an operand (shift and rotate counts).</summary>
    ConditionalFlags = 32,

    /// <summary>Computes flags only and writes no operand (CMP, TEST).</summary>
    CompareOnly = 64,
}
