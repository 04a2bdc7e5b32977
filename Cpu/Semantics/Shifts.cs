using System.Runtime.CompilerServices;
using Cpu.State;

namespace Cpu.Semantics;

/// <summary>
/// Shifts and rotates (Intel SDM Vol. 2B, SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD). The count is
/// masked to 5 bits (6 for 64-bit operands); a masked count of 0 changes no flags. Flags the SDM leaves
/// undefined are set as current Intel processors do where known (OF from the last step), AF cleared.
/// </summary>
public static class Shifts
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MaskCount(ulong count, int size) => (int)count & (size == 8 ? 0x3F : 0x1F);

    public static ulong Shl(CpuState s, ulong a, ulong countOperand, int size)
    {
        int count = MaskCount(countOperand, size);
        if (count == 0)
        {
            return a;
        }

        int bits = size * 8;
        ulong m = Operands.SizeMask(size);
        a &= m;
        ulong r = count < bits ? (a << count) & m : 0;
        ulong cf = count <= bits ? (a >> (bits - count)) & 1 : 0;
        ulong of = ((r >> (bits - 1)) & 1) ^ cf;
        s.SetArithmeticFlags(Alu.SignZeroParity(r, size) | cf | (of << 11));
        return r;
    }

    public static ulong Shr(CpuState s, ulong a, ulong countOperand, int size)
    {
        int count = MaskCount(countOperand, size);
        if (count == 0)
        {
            return a;
        }

        int bits = size * 8;
        ulong m = Operands.SizeMask(size);
        a &= m;
        ulong r = count < bits ? a >> count : 0;
        ulong cf = count <= bits ? (a >> (count - 1)) & 1 : 0;
        ulong of = (a >> (bits - 1)) & 1;
        s.SetArithmeticFlags(Alu.SignZeroParity(r, size) | cf | (of << 11));
        return r;
    }

    public static ulong Sar(CpuState s, ulong a, ulong countOperand, int size)
    {
        int count = MaskCount(countOperand, size);
        if (count == 0)
        {
            return a;
        }

        ulong m = Operands.SizeMask(size);
        long sa = Operands.SignExtend(a, size);
        ulong r = (ulong)(sa >> Math.Min(count, 63)) & m;
        ulong cf = (ulong)(sa >> Math.Min(count - 1, 63)) & 1;
        s.SetArithmeticFlags(Alu.SignZeroParity(r, size) | cf);
        return r;
    }

    public static ulong Rol(CpuState s, ulong a, ulong countOperand, int size)
    {
        int count = MaskCount(countOperand, size);
        if (count == 0)
        {
            return a;
        }

        int bits = size * 8;
        ulong m = Operands.SizeMask(size);
        a &= m;
        int n = count & (bits - 1);
        ulong r = n == 0 ? a : ((a << n) | (a >> (bits - n))) & m;
        ulong cf = r & 1;
        ulong of = ((r >> (bits - 1)) & 1) ^ cf;
        s.SetFlags(Rflag.CF | Rflag.OF, cf | (of << 11));
        return r;
    }

    public static ulong Ror(CpuState s, ulong a, ulong countOperand, int size)
    {
        int count = MaskCount(countOperand, size);
        if (count == 0)
        {
            return a;
        }

        int bits = size * 8;
        ulong m = Operands.SizeMask(size);
        a &= m;
        int n = count & (bits - 1);
        ulong r = n == 0 ? a : ((a >> n) | (a << (bits - n))) & m;
        ulong cf = (r >> (bits - 1)) & 1;
        ulong of = cf ^ ((r >> (bits - 2)) & 1);
        s.SetFlags(Rflag.CF | Rflag.OF, cf | (of << 11));
        return r;
    }

    public static ulong Rcl(CpuState s, ulong a, ulong countOperand, int size)
    {
        int count = MaskCount(countOperand, size);
        if (count == 0)
        {
            return a;
        }

        int bits = size * 8;
        if (size <= 2)
        {
            count %= bits + 1;
        }

        ulong m = Operands.SizeMask(size);
        a &= m;
        ulong cf = s.CF ? 1UL : 0UL;
        for (int i = 0; i < count; i++)
        {
            ulong top = (a >> (bits - 1)) & 1;
            a = ((a << 1) | cf) & m;
            cf = top;
        }

        ulong of = ((a >> (bits - 1)) & 1) ^ cf;
        s.SetFlags(Rflag.CF | Rflag.OF, cf | (of << 11));
        return a;
    }

    public static ulong Rcr(CpuState s, ulong a, ulong countOperand, int size)
    {
        int count = MaskCount(countOperand, size);
        if (count == 0)
        {
            return a;
        }

        int bits = size * 8;
        if (size <= 2)
        {
            count %= bits + 1;
        }

        ulong m = Operands.SizeMask(size);
        a &= m;
        ulong cf = s.CF ? 1UL : 0UL;
        for (int i = 0; i < count; i++)
        {
            ulong low = a & 1;
            a = (a >> 1) | (cf << (bits - 1));
            cf = low;
        }

        // OF = XOR of the two most significant bits of the result (equals MSB(dest) XOR CF before, for count 1).
        ulong of = ((a >> (bits - 1)) ^ (a >> (bits - 2))) & 1;
        s.SetFlags(Rflag.CF | Rflag.OF, cf | (of << 11));
        return a;
    }

    /// <summary>SHLD: shifts <paramref name="a"/> left, filling from the high bits of <paramref name="b"/>.</summary>
    public static ulong Shld(CpuState s, ulong a, ulong b, ulong countOperand, int size)
    {
        int count = MaskCount(countOperand, size);
        if (count == 0)
        {
            return a;
        }

        int bits = size * 8;
        ulong m = Operands.SizeMask(size);
        a &= m;
        b &= m;
        UInt128 v = ((UInt128)a << bits) | b;
        if (size == 2)
        {
            // 16-bit counts above 16 are undefined; Intel shifts the 48-bit a:b:a.
            v = ((UInt128)a << 32) | ((UInt128)b << 16) | a;
            bits = 32;
        }

        ulong r = (ulong)((v << count) >> bits) & m;
        ulong cf = (ulong)(v >> ((2 * bits) - count)) & 1;
        if (size == 2)
        {
            r = (ulong)((v << count) >> 32) & 0xFFFF;
            cf = (ulong)(v >> (48 - count)) & 1;
            bits = 16;
        }

        ulong of = ((r ^ a) >> (bits - 1)) & 1;
        s.SetArithmeticFlags(Alu.SignZeroParity(r, size) | cf | (of << 11));
        return r;
    }

    /// <summary>SHRD: shifts <paramref name="a"/> right, filling from the low bits of <paramref name="b"/>.</summary>
    public static ulong Shrd(CpuState s, ulong a, ulong b, ulong countOperand, int size)
    {
        int count = MaskCount(countOperand, size);
        if (count == 0)
        {
            return a;
        }

        int bits = size * 8;
        ulong m = Operands.SizeMask(size);
        a &= m;
        b &= m;
        UInt128 v = ((UInt128)b << bits) | a;
        if (size == 2)
        {
            v = ((UInt128)a << 32) | ((UInt128)b << 16) | a;
        }

        ulong r = (ulong)(v >> count) & m;
        ulong cf = (ulong)(v >> (count - 1)) & 1;
        ulong of = ((r ^ a) >> (bits - 1)) & 1;
        s.SetArithmeticFlags(Alu.SignZeroParity(r, size) | cf | (of << 11));
        return r;
    }
}
