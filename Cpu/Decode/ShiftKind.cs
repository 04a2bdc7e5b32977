using System.Reflection;
using Cpu.Instructions;
using Cpu.Semantics;

namespace Cpu.Decode;

/// <summary>The shifts of <see cref="FastKind.ShiftRegImm"/>, derived from the operation an instruction's declaration names.</summary>
public static class ShiftKind
{
    public const byte Shl = 0;
    public const byte Shr = 1;
    public const byte Sar = 2;

    // Indexed by kind: the semantic operation the fast dispatcher calls for it.
    private static readonly MethodInfo[] Operations =
    [
        ((BinaryOperation)Shifts.Shl).Method, ((BinaryOperation)Shifts.Shr).Method, ((BinaryOperation)Shifts.Sar).Method,
    ];

    /// <summary>The kind of a declared shift operation, or -1 when the fast forms have none (rotates).</summary>
    public static int Of(MethodInfo? operation) => operation is null ? -1 : Array.IndexOf(Operations, operation);
}
