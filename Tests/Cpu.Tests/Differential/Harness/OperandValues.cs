using System.Runtime.InteropServices;

namespace Cpu.Tests.Differential.Harness;

/// <summary>Operand values biased to the edges where flag logic goes wrong: 0, 1, -1, the sign boundaries, the maximum.</summary>
public static class OperandValues
{
    public static ulong Mask(int bits) => bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;

    /// <summary>The edge values of a <paramref name="bits"/>-wide operand.</summary>
    public static ulong[] Edges(int bits)
    {
        ulong m = Mask(bits);
        ulong signBit = 1UL << (bits - 1);
        return
        [
            0, 1, 2, m, m - 1, signBit - 1, signBit, signBit + 1, signBit - 2, 0x7F & m, 0x80 & m, 0xFF & m, 0x100 & m,
            0x7FFF & m, 0x8000 & m, 0xFFFF & m, 0x7FFF_FFFF & m, 0x8000_0000 & m, 0xFFFF_FFFF & m,
            0x5555_5555_5555_5555 & m, 0xAAAA_AAAA_AAAA_AAAA & m, 0x0F0F_0F0F_0F0F_0F0F & m,
        ];
    }

    /// <summary>A value of <paramref name="bits"/> bits: an edge value about half the time, else random.</summary>
    public static ulong Next(Random rng, int bits)
    {
        ulong v = rng.Next(3) switch
        {
            0 => Edges(bits)[rng.Next(Edges(bits).Length)],
            1 => Random64(rng),
            _ => Random64(rng) >> rng.Next(64),
        };
        return v & Mask(bits);
    }

    /// <summary>The <paramref name="index"/>-th value of a case sequence: all edge values first, then <see cref="Next"/>.</summary>
    public static ulong Sequence(Random rng, int bits, int index)
    {
        ulong[] edges = Edges(bits);
        return index < edges.Length ? edges[index] : Next(rng, bits);
    }

    public static ulong Random64(Random rng) => (ulong)rng.NextInt64() ^ ((ulong)rng.Next(2) << 63);

    /// <summary>Shift and rotate counts: 0, 1, width-1, width, width+1, the masking boundaries, and random bytes.</summary>
    public static byte ShiftCount(Random rng, int bits, int index)
    {
        int[] special = [0, 1, bits - 1, bits, bits + 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 0x80, 0xE0, 0x21];
        return (byte)(index < special.Length ? special[index] : rng.Next(3) == 0 ? rng.Next(256) : rng.Next(bits + 2));
    }

    /// <summary>Random initial flags: any status flags, DF as asked; IF, TF, AC clear.</summary>
    public static ulong Flags(Random rng, bool allowDf = true)
    {
        ulong f = (ulong)rng.Next() & FlagBits.Status;
        if (allowDf && rng.Next(2) == 0)
        {
            f |= FlagBits.DF;
        }

        return f | 2;
    }

    /// <summary>Random bytes from a xorshift generator seeded by <paramref name="rng"/> (seeded Random.NextBytes is slow).</summary>
    public static byte[] RandomBytes(Random rng, int length)
    {
        var b = new byte[length];
        ulong x = Random64(rng) | 1;
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(b.AsSpan());
        for (int i = 0; i < words.Length; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            words[i] = x;
        }

        return b;
    }

    public static ulong[] RandomGprs(Random rng)
    {
        var g = new ulong[16];
        for (int i = 0; i < 16; i++)
        {
            g[i] = Next(rng, 64);
        }

        g[4] = HarnessLayout.InitialRsp;
        return g;
    }
}
