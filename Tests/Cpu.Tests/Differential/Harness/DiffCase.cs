namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// One differential test case: instruction bytes (assembled at <see cref="HarnessLayout.SnippetAddress"/>),
/// the initial registers, flags and memory, and what of the outcome the Intel SDM defines.
/// </summary>
public sealed record DiffCase
{
    public required string Form { get; init; }

    public required byte[] Code { get; init; }

    /// <summary>64, or 32 for a snippet run in 32-bit code (compatibility mode natively, protected mode in the emulator).</summary>
    public int Bitness { get; init; } = 64;

    /// <summary>RAX..R15 in encoding order.</summary>
    public required ulong[] Gpr { get; init; }

    /// <summary>Initial RFLAGS (status flags and DF; IF, TF and AC stay clear).</summary>
    public required ulong Flags { get; init; }

    /// <summary>Initial contents of the data buffer at <see cref="HarnessLayout.DataAddress"/>.</summary>
    public required byte[] Data { get; init; }

    /// <summary>Initial contents of the compared stack window at <see cref="HarnessLayout.StackWindowAddress"/>.</summary>
    public required byte[] Stack { get; init; }

    /// <summary>The initial x87/SSE state as an FXSAVE64 image (<see cref="Harness.FpuImage"/>); null for the default one.</summary>
    public byte[]? Fpu { get; init; }

    /// <summary>Flags (of CF PF AF ZF SF OF DF) whose final value the SDM leaves undefined for this case.</summary>
    public ulong UndefinedFlags { get; init; }

    /// <summary>Per register, the bits whose final value is defined (all ones when null).</summary>
    public ulong[]? GprMask { get; init; }

    /// <summary>Memory ranges (address, length) whose final contents the SDM leaves undefined.</summary>
    public (ulong Address, int Length)[] UndefinedMemory { get; init; } = [];

    /// <summary>
    /// How many units in the last place ST0-ST7 may differ from the host's (0: bit-exact). When not zero,
    /// FSW's C1 (the round-up indication of the processor's approximation) is not compared either.
    /// </summary>
    public int StUlpTolerance { get; init; }

    /// <summary>
    /// For the approximate instructions (RCPPS, RSQRTPS...): how far, relative to the emulator's value, the
    /// host's may lie in each finite single lane of the XMM registers (0: bit-exact). Zeros, infinities and
    /// NaNs are still compared exactly.
    /// </summary>
    public double XmmSingleTolerance { get; init; }

    /// <summary>The same case under another form name.</summary>
    public DiffCase WithForm(string form) => this with { Form = form };
}
