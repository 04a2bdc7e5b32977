using System.Reflection;
using Cpu.Instructions;
using Cpu.Semantics;

namespace Cpu.Decode;

/// <summary>
/// The two-operand ALU operations of <see cref="FastKind.AluRegReg"/> and <see cref="FastKind.AluRegImm"/>,
/// derived from the operation an instruction's declaration names (<see cref="InstructionDeclaration.Operation"/>).
/// </summary>
public static class AluKind
{
    public const byte Add = 0;
    public const byte Or = 1;
    public const byte Adc = 2;
    public const byte Sbb = 3;
    public const byte And = 4;
    public const byte Sub = 5;
    public const byte Xor = 6;
    public const byte Cmp = 7;
    public const byte Test = 8;

    // Indexed by kind: the semantic operation the fast dispatcher calls for it.
    private static readonly MethodInfo[] Operations =
    [
        ((BinaryOperation)Alu.Add).Method, ((BinaryOperation)Alu.Or).Method, ((BinaryOperation)Alu.Adc).Method,
        ((BinaryOperation)Alu.Sbb).Method, ((BinaryOperation)Alu.And).Method, ((BinaryOperation)Alu.Sub).Method,
        ((BinaryOperation)Alu.Xor).Method,
    ];

    /// <summary>
    /// The kind of a declared binary operation, or -1 when the fast forms have none. CMP and TEST are
    /// declared as SUB and AND that write only the flags (<see cref="InstructionTraits.CompareOnly"/>).
    /// </summary>
    public static int Of(MethodInfo? operation, bool compareOnly)
    {
        int kind = operation is null ? -1 : Array.IndexOf(Operations, operation);
        return !compareOnly ? kind : kind switch
        {
            Sub => Cmp,
            And => Test,
            _ => -1,
        };
    }
}
