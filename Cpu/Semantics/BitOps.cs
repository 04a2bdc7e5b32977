using System.Numerics;
using System.Runtime.CompilerServices;
using Cpu.State;

namespace Cpu.Semantics;

/// <summary>
/// Bit operations: BT/BTS/BTR/BTC (CF only; the other status flags are left as they were), BSF/BSR
/// (ZF; destination unchanged for a zero source), TZCNT/LZCNT (CF, ZF), POPCNT (ZF; CF OF SF AF PF cleared),
/// BSWAP, and the BMI1 group ANDN/BEXTR/BLSI/BLSMSK/BLSR (Intel SDM Vol. 2).
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

    /// <summary>ANDN (BMI1): ~a &amp; b; SF and ZF from the result, CF and OF cleared (AF and PF undefined; cleared here).</summary>
    public static ulong Andn(CpuState s, ulong a, ulong b, int size)
    {
        ulong r = ~a & b & Operands.SizeMask(size);
        s.SetArithmeticFlags(ZeroSign(r, size));
        return r;
    }

    /// <summary>
    /// BEXTR (BMI1): the field of <paramref name="src"/> starting at control[7:0] and control[15:8] bits long;
    /// ZF from the result, CF and OF cleared (SDM Vol. 2A, BEXTR).
    /// </summary>
    public static ulong Bextr(CpuState s, ulong src, ulong control, int size)
    {
        int bits = size * 8;
        int start = (int)(control & 0xFF);
        int length = (int)((control >> 8) & 0xFF);
        src &= Operands.SizeMask(size);
        ulong r = start >= bits ? 0 : src >> start;
        if (length < 64)
        {
            r &= (1UL << length) - 1;
        }

        s.SetArithmeticFlags(r == 0 ? Rflag.ZF : 0);
        return r;
    }

    /// <summary>BLSI (BMI1): the lowest set bit; CF = source is not zero, SF/ZF from the result, OF cleared.</summary>
    public static ulong Blsi(CpuState s, ulong src, int size)
    {
        src &= Operands.SizeMask(size);
        ulong r = (0 - src) & src;
        s.SetArithmeticFlags(ZeroSign(r, size) | (src != 0 ? Rflag.CF : 0));
        return r;
    }

    /// <summary>BLSMSK (BMI1): mask up to the lowest set bit; CF = source is zero, SF from the result, ZF and OF cleared.</summary>
    public static ulong Blsmsk(CpuState s, ulong src, int size)
    {
        ulong mask = Operands.SizeMask(size);
        src &= mask;
        ulong r = ((src - 1) ^ src) & mask;
        s.SetArithmeticFlags((ZeroSign(r, size) & Rflag.SF) | (src == 0 ? Rflag.CF : 0));
        return r;
    }

    /// <summary>BLSR (BMI1): clears the lowest set bit; CF = source is zero, SF/ZF from the result, OF cleared.</summary>
    public static ulong Blsr(CpuState s, ulong src, int size)
    {
        ulong mask = Operands.SizeMask(size);
        src &= mask;
        ulong r = (src - 1) & src & mask;
        s.SetArithmeticFlags(ZeroSign(r, size) | (src == 0 ? Rflag.CF : 0));
        return r;
    }

    /// <summary>BSWAP; the 16-bit form is undefined and yields 0 as on Intel processors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bswap(ulong value, int size) => size switch
    {
        8 => global::System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value),
        4 => global::System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)value),
        _ => 0,
    };

    private static ulong ZeroSign(ulong r, int size) =>
        (r == 0 ? Rflag.ZF : 0) | (((r >> ((size * 8) - 1)) & 1) != 0 ? Rflag.SF : 0);

    private static ulong ParityOnly(ulong r) => (BitOperations.PopCount(r & 0xFF) & 1) == 0 ? Rflag.PF : 0;
}
