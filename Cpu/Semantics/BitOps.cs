using System.Numerics;
using System.Runtime.CompilerServices;
using Cpu.State;

namespace Cpu.Semantics;

/// <summary>
/// Bit operations: BT/BTS/BTR/BTC (CF only; the other status flags are left as they were), BSF/BSR
/// (ZF; destination unchanged for a zero source), TZCNT/LZCNT (CF, ZF), POPCNT (ZF; CF OF SF AF PF cleared),
/// BSWAP (Intel SDM Vol. 2).
/// </summary>
public static class BitOps
{
    /// <summary>BT family on a value: returns the new value; <paramref name="kind"/> 0=BT 1=BTS 2=BTR 3=BTC.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong BitTest(CpuState s, ulong value, int bit, int kind)
    {
        ulong mask = 1UL << bit;
        s.SetFlags(Rflag.CF, (value & mask) != 0 ? Rflag.CF : 0);
        return kind switch
        {
            1 => value | mask,
            2 => value & ~mask,
            3 => value ^ mask,
            _ => value,
        };
    }

    /// <summary>BSF: returns the index of the lowest set bit, or <paramref name="dest"/> when the source is 0 (ZF=1).</summary>
    public static ulong Bsf(CpuState s, ulong src, ulong dest, int size)
    {
        src &= Operands.SizeMask(size);
        if (src == 0)
        {
            s.SetArithmeticFlags(Rflag.ZF);
            return dest;
        }

        ulong r = (ulong)BitOperations.TrailingZeroCount(src);
        s.SetArithmeticFlags(ParityOnly(r));
        return r;
    }

    /// <summary>BSR: returns the index of the highest set bit, or <paramref name="dest"/> when the source is 0 (ZF=1).</summary>
    public static ulong Bsr(CpuState s, ulong src, ulong dest, int size)
    {
        src &= Operands.SizeMask(size);
        if (src == 0)
        {
            s.SetArithmeticFlags(Rflag.ZF);
            return dest;
        }

        ulong r = (ulong)(63 - BitOperations.LeadingZeroCount(src));
        s.SetArithmeticFlags(ParityOnly(r));
        return r;
    }

    public static ulong Tzcnt(CpuState s, ulong src, int size)
    {
        src &= Operands.SizeMask(size);
        ulong r = src == 0 ? (ulong)(size * 8) : (ulong)BitOperations.TrailingZeroCount(src);
        s.SetArithmeticFlags((src == 0 ? Rflag.CF : 0) | (r == 0 ? Rflag.ZF : 0));
        return r;
    }

    public static ulong Lzcnt(CpuState s, ulong src, int size)
    {
        src &= Operands.SizeMask(size);
        ulong r = (ulong)(BitOperations.LeadingZeroCount(src) - (64 - (size * 8)));
        s.SetArithmeticFlags((src == 0 ? Rflag.CF : 0) | (r == 0 ? Rflag.ZF : 0));
        return r;
    }

    public static ulong Popcnt(CpuState s, ulong src, int size)
    {
        src &= Operands.SizeMask(size);
        s.SetArithmeticFlags(src == 0 ? Rflag.ZF : 0);
        return (ulong)BitOperations.PopCount(src);
    }

    /// <summary>BSWAP; the 16-bit form is undefined and yields 0 as on Intel processors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bswap(ulong value, int size) => size switch
    {
        8 => global::System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value),
        4 => global::System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)value),
        _ => 0,
    };

    private static ulong ParityOnly(ulong r) => (BitOperations.PopCount(r & 0xFF) & 1) == 0 ? Rflag.PF : 0;
}
