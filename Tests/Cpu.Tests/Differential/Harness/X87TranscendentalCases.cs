using System.Buffers.Binary;
using Cpu.State;
using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// The operands of the x87 transcendentals and the tolerance of their comparison with the host.
/// The SDM does not require these results to be correctly rounded: it bounds their error (Vol. 1, 8.3.10:
/// within one unit in the last place for the in-range operands), and processors differ in the last bit;
/// emu rounds the exact value once. A result is therefore accepted within <see cref="UlpTolerance"/> of
/// the host's, and C1 (the round-up indication of the host's approximation, which for FPTAN of tiny
/// operands is set about half the time although the true value rounds down) is not compared; everything else (exception flags,
/// C0/C2/C3, TOP, tags, special-operand results) must be exact. Most operands are drawn inside each
/// instruction's defined domain (F2XM1 [-1, 1], FYL2XP1 |x| &lt; 1 - sqrt(2)/2, the trigonometric
/// functions |x| &lt; 2^63, where the host's reduction is within the bound), some at the edges (zeros,
/// denormals, infinities, NaNs, 2^63 and beyond for C2).
/// </summary>
public static class X87TranscendentalCases
{
    public const int UlpTolerance = 1;

    public static int Tolerance(Code code) => IsTranscendental(code) ? UlpTolerance : 0;

    public static bool IsTranscendental(Code code) => code is Code.Fsin or Code.Fcos or Code.Fsincos or Code.Fptan or Code.F2xm1
        or Code.Fyl2x or Code.Fyl2xp1 or Code.Fpatan;

    /// <summary>
    /// ST(0) (and ST(1) for the two-operand forms) full, holding an operand from the domain or, one time in
    /// four, an edge value; one case in twenty keeps the random stack (empty registers: stack faults). The
    /// trigonometric operands are below 1 in magnitude: beyond pi/4 the host reduces by a 66-bit pi (SDM
    /// Vol. 1, 8.3.10) and departs from the true value by more than the bound, where emu's exact reduction does not.
    /// </summary>
    public static byte[] Shape(Code code, byte[] image, Random rng)
    {
        if (!IsTranscendental(code))
        {
            return image;
        }

        // The domains of F2XM1 and FYL2XP1 exclude large values (and FYL2XP1's infinities and -1).
        int edges = code switch { Code.F2xm1 => 5, Code.Fyl2xp1 => 4, _ => 6 };
        bool keepTags = rng.Next(20) == 0;
        byte tags = image[4];
        int top = (BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(2)) >> X87State.TopShift) & 7;
        (ushort se, ulong sig) = rng.Next(4) == 0 ? Edge(rng, edges, code != Code.Fyl2xp1) : code switch
        {
            Code.F2xm1 => Value(rng, -70, 0, rng.Next(8) == 0),
            Code.Fyl2xp1 => Value(rng, -70, -2, false),
            Code.Fyl2x => Value(rng, -300, 300, false, positive: rng.Next(8) != 0),
            Code.Fpatan => Value(rng, -80, 80, false),
            _ => Value(rng, -70, 0, false),
        };
        Write(image, 0, se, sig);
        image[4] |= (byte)(1 << top);
        if (code is Code.Fyl2x or Code.Fyl2xp1 or Code.Fpatan)
        {
            (ushort se1, ulong sig1) = rng.Next(6) == 0 ? Edge(rng, 6, true) : Value(rng, -40, 40, false);
            Write(image, 1, se1, sig1);
            image[4] |= (byte)(1 << ((top + 1) & 7));
        }

        if (keepTags)
        {
            image[4] = tags;
        }

        return image;
    }

    /// <summary>
    /// One of the first <paramref name="kinds"/> of: zero, denormal, NaN, infinity (when
    /// <paramref name="infinity"/>, else a NaN), one, a value of magnitude 2^63 or more (out of the trigonometric range).
    /// </summary>
    private static (ushort SignExponent, ulong Significand) Edge(Random rng, int kinds, bool infinity)
    {
        ushort sign = (ushort)(rng.Next(2) << 15);
        ulong fraction = (ulong)rng.NextInt64() & 0x7FFF_FFFF_FFFF_FFFF;
        return rng.Next(kinds) switch
        {
            0 => (sign, 0UL),
            1 => (sign, fraction >> rng.Next(63)),
            2 => ((ushort)(sign | 0x7FFF), (1UL << 63) | (fraction >> rng.Next(1, 8)) | (rng.Next(2) == 0 ? 1UL << 62 : 0)),
            3 when infinity => ((ushort)(sign | 0x7FFF), 1UL << 63),
            3 => ((ushort)(sign | 0x7FFF), (1UL << 63) | (1UL << 62)),
            4 => ((ushort)(sign | Float80.ExponentBias), 1UL << 63),
            _ => ((ushort)(sign | (Float80.ExponentBias + rng.Next(63, 200))), (1UL << 63) | fraction),
        };
    }

    /// <summary>A normal value with its unbiased exponent in [min, max) (exactly +-1 when <paramref name="one"/>), random sign.</summary>
    private static (ushort SignExponent, ulong Significand) Value(Random rng, int min, int max, bool one, bool? positive = null)
    {
        bool negative = positive is null ? rng.Next(2) == 0 : !positive.Value;
        ulong significand = one ? 1UL << 63 : (1UL << 63) | ((ulong)rng.NextInt64() & 0x7FFF_FFFF_FFFF_FFFF);
        int exponent = one ? 0 : rng.Next(min, max);
        return ((ushort)((exponent + Float80.ExponentBias) | (negative ? 0x8000 : 0)), significand);
    }

    private static void Write(byte[] image, int st, ushort signExponent, ulong significand)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(32 + (16 * st)), significand);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(40 + (16 * st)), signExponent);
    }
}
