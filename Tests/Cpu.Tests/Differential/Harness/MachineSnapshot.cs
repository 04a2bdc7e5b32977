namespace Cpu.Tests.Differential.Harness;

/// <summary>The outcome of a snippet on one side: registers, flags, where it stopped, and the compared memory.</summary>
public sealed class MachineSnapshot
{
    public required ulong[] Gpr { get; init; }

    public required ulong Flags { get; init; }

    /// <summary>Bytes from the start of the snippet to where execution ended (the snippet's length when it ran off its end).</summary>
    public required long RipOffset { get; init; }

    public required byte[] Data { get; init; }

    public required byte[] Stack { get; init; }

    /// <summary>The x87/SSE state after the snippet, as an FXSAVE64 image.</summary>
    public required byte[] Fpu { get; init; }

    /// <summary>Why the emulator did not finish normally (exception, stop reason); null when it did.</summary>
    public string? Error { get; init; }
}
