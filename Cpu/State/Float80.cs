namespace Cpu.State;

/// <summary>
/// An x87 80-bit extended-precision value as stored in a data register or an m80 operand (Intel SDM
/// Vol. 1, 4.2.2): a 64-bit significand with an explicit integer bit (bit 63), 15 exponent bits and the sign.
/// </summary>
public readonly record struct Float80(ulong Significand, ushort SignExponent)
{
    public const int ExponentBias = 16383;
    public const ushort MaxExponent = 0x7FFF;

    public static readonly Float80 PositiveZero = new(0, 0);

    public bool Sign => (SignExponent & 0x8000) != 0;

    public int Exponent => SignExponent & MaxExponent;

    public bool IsZero => Exponent == 0 && Significand == 0;

    /// <summary>Infinities, NaNs, denormals, pseudo-denormals and unsupported encodings: the x87 tag "special".</summary>
    public bool IsSpecial => Exponent == MaxExponent || (Exponent == 0 && Significand != 0) || (Exponent != 0 && (Significand >> 63) == 0);
}
