using Cpu.Semantics.Float;

namespace Cpu.Tests.Differential.Harness;

/// <summary>Random floating-point bit patterns weighted towards the edges: zeros, denormals, extremes, infinities, NaNs, exponents near 1.</summary>
public static class FloatValues
{
    public static ulong Interesting(Random rng, FloatFormat f)
    {
        int fractionBits = f.FractionBits;
        ulong fraction = (ulong)rng.NextInt64() & ((1UL << fractionBits) - 1);
        ulong sign = (ulong)rng.Next(2) << (fractionBits + f.ExponentBits);
        ulong exponent = rng.Next(10) switch
        {
            0 => 0,
            1 => (ulong)f.MaxBiased,
            2 => 1,
            3 => (ulong)f.MaxBiased - 1,
            4 => (ulong)(f.Bias + rng.Next(-3, 4)),
            _ => (ulong)rng.Next(1, f.MaxBiased),
        };
        if (rng.Next(8) == 0)
        {
            fraction = rng.Next(3) switch { 0 => 0, 1 => 1, _ => (1UL << fractionBits) - 1 };
        }

        return sign | (exponent << fractionBits) | fraction;
    }
}
