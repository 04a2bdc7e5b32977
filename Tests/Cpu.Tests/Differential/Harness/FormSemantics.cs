using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// What the generator must know of an instruction family beyond its encoding: registers it uses
/// implicitly, memory alignment it needs, how to pick legal operand values, and which results the SDM
/// leaves undefined.
/// </summary>
public sealed class FormSemantics
{
    /// <summary>Registers (any size; their full register is meant) that operands and addresses must not use.</summary>
    public Register[] Reserved { get; init; } = [];

    /// <summary>Alignment of memory operands; 0 means natural most of the time and unaligned sometimes.</summary>
    public int MemoryAlignment { get; init; }

    /// <summary>Distance of memory operands from the ends of the data buffer (bit strings reach beyond the operand).</summary>
    public int MemoryMargin { get; init; } = 64;

    /// <summary>Status flags the SDM leaves undefined for every case of the family.</summary>
    public ulong UndefinedFlags { get; init; }

    /// <summary>Adds a LOCK prefix (memory forms that allow it only).</summary>
    public bool Lock { get; init; }

    /// <summary>Adjusts values and masks for one case after the default random values were set.</summary>
    public Action<FormCase>? Shape { get; init; }

    public static readonly FormSemantics Plain = new();
}
