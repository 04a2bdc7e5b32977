namespace Cpu.Decode;

/// <summary>The two-operand ALU operations of <see cref="FastKind.AluRegReg"/> and <see cref="FastKind.AluRegImm"/>.</summary>
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
}
