using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>A memory operand's addressing: base, index, scale and displacement that reach <see cref="OperandPlan.Address"/>.</summary>
public sealed class MemoryOperandPlan : OperandPlan
{
    public Register Base { get; init; }

    public Register Index { get; init; }

    public int Scale { get; init; } = 1;

    public ulong Displacement { get; init; }

    public int DisplSize { get; init; }
}
