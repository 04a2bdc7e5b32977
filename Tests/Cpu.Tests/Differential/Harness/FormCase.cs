using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// One case of a generated instruction form being shaped: the operands chosen for it and the
/// <see cref="CaseBuilder"/> holding registers and memory. FormSemantics hooks read and set operand values here.
/// </summary>
public sealed class FormCase
{
    public required CaseBuilder Builder { get; init; }

    public required InstructionForm Form { get; init; }

    public required OperandPlan[] Operands { get; init; }

    /// <summary>The index of this case in the form's sequence (edge values come first).</summary>
    public required int Index { get; init; }

    public Random Rng => Builder.Rng;

    public Mnemonic Mnemonic => Form.Code.Mnemonic();

    public int Bits(int operand) => Operands[operand].Bits;

    public ulong Get(int operand)
    {
        OperandPlan op = Operands[operand];
        return op.Role switch
        {
            OperandRole.Register => Builder.GetReg(op.Register),
            OperandRole.Memory => Builder.Read(op.Address, Math.Min(op.Bits, 64) / 8),
            OperandRole.Immediate => op.Immediate,
            _ => 1,
        };
    }

    public void Set(int operand, ulong value)
    {
        OperandPlan op = Operands[operand];
        switch (op.Role)
        {
            case OperandRole.Register:
                Builder.SetReg(op.Register, value);
                break;
            case OperandRole.Memory:
                Builder.Write(op.Address, Math.Min(op.Bits, 64) / 8, value);
                break;
            case OperandRole.Immediate:
                op.Immediate = value & OperandValues.Mask(ImmediateBits(op.ImmediateKind));
                break;
            default:
                break;
        }
    }

    public static int ImmediateBits(OpKind kind) => kind switch
    {
        OpKind.Immediate8 or OpKind.Immediate8to16 or OpKind.Immediate8to32 or OpKind.Immediate8to64 => 8,
        OpKind.Immediate16 => 16,
        OpKind.Immediate32 or OpKind.Immediate32to64 => 32,
        _ => 64,
    };
}
