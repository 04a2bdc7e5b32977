using System.Reflection;
using System.Reflection.Emit;
using Cpu.Instructions;
using Cpu.Semantics;

namespace Cpu.Translation;

/// <summary>
/// The shared semantic operations whose result alone (without flags) is plain IL: the emitter uses it
/// when an instruction's flags are dead, and flag liveness counts only those instructions as skippable.
/// </summary>
internal static class PlainArithmetic
{
    private static readonly Dictionary<MethodInfo, OpCode> Binary = new()
    {
        [((BinaryOperation)Alu.Add).Method] = OpCodes.Add,
        [((BinaryOperation)Alu.Sub).Method] = OpCodes.Sub,
        [((BinaryOperation)Alu.And).Method] = OpCodes.And,
        [((BinaryOperation)Alu.Or).Method] = OpCodes.Or,
        [((BinaryOperation)Alu.Xor).Method] = OpCodes.Xor,
    };

    public static readonly MethodInfo Increment = ((UnaryOperation)Alu.Inc).Method;
    public static readonly MethodInfo Decrement = ((UnaryOperation)Alu.Dec).Method;
    public static readonly MethodInfo Negate = ((UnaryOperation)Alu.Neg).Method;

    /// <summary>The IL instruction computing <paramref name="operation"/>'s result from its two operands, if there is one.</summary>
    public static bool TryBinary(MethodInfo? operation, out OpCode code)
    {
        code = default;
        return operation is not null && Binary.TryGetValue(operation, out code);
    }

    /// <summary>True for INC, DEC and NEG, whose result the emitter computes in IL.</summary>
    public static bool IsUnary(MethodInfo? operation) => operation == Increment || operation == Decrement || operation == Negate;
}
