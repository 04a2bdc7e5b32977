namespace Cpu.Semantics.Float;

/// <summary>
/// The six floating-point exception flags, at the same bit positions in MXCSR and in the x87 status word
/// (Intel SDM Vol. 1, 4.9): invalid, denormal operand, divide-by-zero, overflow, underflow, precision.
/// </summary>
public static class FloatFlags
{
    public const uint Invalid = 1 << 0;
    public const uint Denormal = 1 << 1;
    public const uint DivideByZero = 1 << 2;
    public const uint Overflow = 1 << 3;
    public const uint Underflow = 1 << 4;
    public const uint Precision = 1 << 5;
    public const uint All = 0x3F;
}
