using System.Runtime.CompilerServices;
using Cpu.State;

namespace Cpu.Semantics;

/// <summary>
/// Integer ALU operations (ADD ADC SUB SBB AND OR XOR INC DEC NEG NOT). Each returns the result masked to
/// <c>size</c> bytes and records the lazy flags in the state (Intel SDM Vol. 2, and Vol. 1 Appendix A).
/// </summary>
public static class Alu
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Add(CpuState s, ulong a, ulong b, int size)
    {
        ulong m = Operands.SizeMask(size);
        a &= m;
        b &= m;
        ulong r = (a + b) & m;
        s.SetLazy(FlagOp.Add, a, b, r, size);
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Adc(CpuState s, ulong a, ulong b, int size)
    {
        ulong m = Operands.SizeMask(size);
        ulong carry = s.CF ? 1UL : 0UL;
        a &= m;
        b &= m;
        ulong r = (a + b + carry) & m;
        s.LazyCarry = carry;
        s.SetLazy(FlagOp.Adc, a, b, r, size);
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Sub(CpuState s, ulong a, ulong b, int size)
    {
        ulong m = Operands.SizeMask(size);
        a &= m;
        b &= m;
        ulong r = (a - b) & m;
        s.SetLazy(FlagOp.Sub, a, b, r, size);
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Sbb(CpuState s, ulong a, ulong b, int size)
    {
        ulong m = Operands.SizeMask(size);
        ulong carry = s.CF ? 1UL : 0UL;
        a &= m;
        b &= m;
        ulong r = (a - b - carry) & m;
        s.LazyCarry = carry;
        s.SetLazy(FlagOp.Sbb, a, b, r, size);
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong And(CpuState s, ulong a, ulong b, int size)
    {
        ulong r = a & b & Operands.SizeMask(size);
        s.SetLazy(FlagOp.Logic, 0, 0, r, size);
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Or(CpuState s, ulong a, ulong b, int size)
    {
        ulong r = (a | b) & Operands.SizeMask(size);
        s.SetLazy(FlagOp.Logic, 0, 0, r, size);
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Xor(CpuState s, ulong a, ulong b, int size)
    {
        ulong r = (a ^ b) & Operands.SizeMask(size);
        s.SetLazy(FlagOp.Logic, 0, 0, r, size);
        return r;
    }

    /// <summary>INC: flags as ADD 1 except CF, which is preserved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Inc(CpuState s, ulong a, int size) => Inc(s, a, size, s.CF);

    /// <summary>INC with the CF it keeps given (the JIT knows it when the instruction that set it is in the same block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Inc(CpuState s, ulong a, int size, bool carry)
    {
        ulong m = Operands.SizeMask(size);
        s.LazyCarry = carry ? 1UL : 0UL;
        a &= m;
        ulong r = (a + 1) & m;
        s.SetLazy(FlagOp.Inc, a, 1, r, size);
        return r;
    }

    /// <summary>DEC: flags as SUB 1 except CF, which is preserved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Dec(CpuState s, ulong a, int size) => Dec(s, a, size, s.CF);

    /// <summary>DEC with the CF it keeps given (see <see cref="Inc(CpuState, ulong, int, bool)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Dec(CpuState s, ulong a, int size, bool carry)
    {
        ulong m = Operands.SizeMask(size);
        s.LazyCarry = carry ? 1UL : 0UL;
        a &= m;
        ulong r = (a - 1) & m;
        s.SetLazy(FlagOp.Dec, a, 1, r, size);
        return r;
    }

    /// <summary>NEG: flags of 0 - a (CF set unless a is 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Neg(CpuState s, ulong a, int size)
    {
        ulong m = Operands.SizeMask(size);
        a &= m;
        ulong r = (0 - a) & m;
        s.SetLazy(FlagOp.Sub, 0, a, r, size);
        return r;
    }

    /// <summary>NOT: no flags.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Not(ulong a, int size) => ~a & Operands.SizeMask(size);

    /// <summary>SF, ZF and PF of a result, as RFLAGS bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SignZeroParity(ulong r, int size)
    {
        ulong f = 0;
        if (r == 0)
        {
            f |= Rflag.ZF;
        }

        if (((r >> ((size * 8) - 1)) & 1) != 0)
        {
            f |= Rflag.SF;
        }

        if ((global::System.Numerics.BitOperations.PopCount(r & 0xFF) & 1) == 0)
        {
            f |= Rflag.PF;
        }

        return f;
    }
}
