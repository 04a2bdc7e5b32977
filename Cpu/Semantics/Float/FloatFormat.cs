namespace Cpu.Semantics.Float;

/// <summary>
/// A binary floating-point format: significand precision (with the integer bit), exponent width, and
/// whether the integer bit is stored (the x87 extended format) or implicit (IEEE single and double).
/// </summary>
public readonly record struct FloatFormat(int Precision, int ExponentBits, bool ExplicitInteger)
{
    public static readonly FloatFormat Single = new(24, 8, false);
    public static readonly FloatFormat Double = new(53, 11, false);
    public static readonly FloatFormat Extended = new(64, 15, true);

    public int Bias => (1 << (ExponentBits - 1)) - 1;

    /// <summary>The all-ones biased exponent of infinities and NaNs.</summary>
    public int MaxBiased => (1 << ExponentBits) - 1;

    /// <summary>The unbiased exponent of the smallest normal number.</summary>
    public int MinExponent => 1 - Bias;

    public int MaxExponent => Bias;

    /// <summary>Stored fraction bits (below the integer bit).</summary>
    public int FractionBits => Precision - 1;

    /// <summary>The same exponent range with a shorter significand (x87 precision control).</summary>
    public FloatFormat WithPrecision(int precision) => this with { Precision = precision };
}
