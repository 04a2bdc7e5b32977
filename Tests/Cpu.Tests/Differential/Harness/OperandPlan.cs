using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>What one explicit operand of a generated instruction is: a register, memory, an immediate, or a constant.</summary>
public class OperandPlan
{
    public required OperandRole Role { get; init; }

    /// <summary>Operand width in bits.</summary>
    public required int Bits { get; init; }

    public Register Register { get; init; }

    /// <summary>Absolute address of a memory operand.</summary>
    public ulong Address { get; set; }

    /// <summary>Iced operand kind of an immediate.</summary>
    public OpKind ImmediateKind { get; init; }

    public ulong Immediate { get; set; }
}

public enum OperandRole
{
    Register,
    Memory,
    Immediate,

    /// <summary>A fixed operand such as the 1 of SHL r/m, 1.</summary>
    Constant,
}
