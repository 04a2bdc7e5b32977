namespace Cpu.State;

/// <summary>The last flag-setting operation recorded by the lazy-flag machinery of <see cref="CpuState"/>.</summary>
public enum FlagOp : byte
{
    /// <summary>The arithmetic flags are materialized in <see cref="CpuState.FlagBits"/>.</summary>
    None,
    Add,
    Adc,
    Sub,
    Sbb,

    /// <summary>AND/OR/XOR/TEST: CF=OF=0, AF=0.</summary>
    Logic,

    /// <summary>INC: like ADD 1 but CF is kept (in <see cref="CpuState.LazyCarry"/>).</summary>
    Inc,

    /// <summary>DEC: like SUB 1 but CF is kept (in <see cref="CpuState.LazyCarry"/>).</summary>
    Dec,

    /// <summary>IMUL: CF=OF=<see cref="CpuState.LazyCarry"/> (the product overflowed), AF=0, SF/ZF/PF of the truncated result.</summary>
    Mul,
}
