using System.Reflection;
using System.Reflection.Emit;
using Cpu.Instructions;
using Cpu.Semantics;
using Iced.Intel;

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

    private static readonly Dictionary<MethodInfo, OpCode> Shift = new()
    {
        [((BinaryOperation)Shifts.Shl).Method] = OpCodes.Shl,
        [((BinaryOperation)Shifts.Shr).Method] = OpCodes.Shr_Un,
        [((BinaryOperation)Shifts.Sar).Method] = OpCodes.Shr,
    };

    /// <summary>
    /// SHL/SAL, SHR and SAR by a constant count that is not zero once masked: they then set every arithmetic
    /// flag (Intel SDM Vol. 2B, SAL/SAR/SHL/SHR: CF, SF, ZF, PF, OF for 1-bit shifts and undefined otherwise,
    /// AF undefined; the shared operations write all six), so with dead flags the result is one IL shift
    /// (<paramref name="code"/>) by <paramref name="count"/>, of the operand zero-extended (SHL, SHR) or
    /// sign-extended (SAR) to 64 bits.
    /// </summary>
    public static bool TryConstantShift(in Instruction ins, MethodInfo? operation, out OpCode code, out int count)
    {
        code = default;
        count = 0;
        if (operation is null || !Shift.TryGetValue(operation, out code))
        {
            return false;
        }

        int size = ins.Op0Kind == OpKind.Register ? Operands.RegisterSize(ins.Op0Register) : Operands.MemorySizeBytes(ins.MemorySize);
        ulong operand = ins.OpCount == 1 ? 1 : ins.GetOpKind(1) is OpKind.Immediate8 or OpKind.Immediate8_2nd ? ins.GetImmediate(1) : 0;
        count = Shifts.MaskCount(operand, size);
        return count != 0;
    }

    /// <summary>True for INC, DEC and NEG, whose result the emitter computes in IL.</summary>
    public static bool IsUnary(MethodInfo? operation) => operation == Increment || operation == Decrement || operation == Negate;
}
