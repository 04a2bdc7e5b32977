using System.Runtime.CompilerServices;
using Cpu.Execution;
using Cpu.State;

namespace Cpu.Semantics;

/// <summary>
/// MUL, IMUL (one-, two- and three-operand forms), DIV and IDIV (Intel SDM Vol. 2). One-operand forms use
/// the accumulator pair (AX, DX:AX, EDX:EAX, RDX:RAX). DIV/IDIV raise #DE on a zero divisor or a quotient
/// that does not fit, before changing anything. SF/ZF/PF after multiplies are undefined; they follow the
/// low half of the product, AF is cleared.
/// </summary>
public static class MulDiv
{
    private const int Rax = 0;
    private const int Rdx = 2;

    /// <summary>Unsigned multiply of the accumulator by <paramref name="src"/>.</summary>
    public static void Mul(CpuState s, ulong src, int size)
    {
        ulong[] g = s.Gpr;
        ulong lo;
        ulong hi;
        switch (size)
        {
            case 1:
                {
                    ulong p = (ulong)(byte)g[Rax] * (byte)src;
                    g[Rax] = (g[Rax] & ~0xFFFFUL) | (p & 0xFFFF);
                    lo = p & 0xFF;
                    hi = p >> 8;
                    break;
                }

            case 2:
                {
                    ulong p = (ushort)g[Rax] * (ulong)(ushort)src;
                    lo = p & 0xFFFF;
                    hi = p >> 16;
                    g[Rax] = (g[Rax] & ~0xFFFFUL) | lo;
                    g[Rdx] = (g[Rdx] & ~0xFFFFUL) | hi;
                    break;
                }

            case 4:
                {
                    ulong p = (uint)g[Rax] * (ulong)(uint)src;
                    lo = (uint)p;
                    hi = p >> 32;
                    g[Rax] = lo;
                    g[Rdx] = hi;
                    break;
                }

            default:
                hi = Math.BigMul(g[Rax], src, out lo);
                g[Rax] = lo;
                g[Rdx] = hi;
                break;
        }

        ulong overflow = hi != 0 ? Rflag.CF | Rflag.OF : 0;
        s.SetArithmeticFlags(overflow | Alu.SignZeroParity(lo, size));
    }

    /// <summary>One-operand signed multiply of the accumulator by <paramref name="src"/>.</summary>
    public static void Imul1(CpuState s, ulong src, int size)
    {
        ulong[] g = s.Gpr;
        ulong lo;
        bool overflow;
        switch (size)
        {
            case 1:
                {
                    long p = (sbyte)g[Rax] * (long)(sbyte)src;
                    g[Rax] = (g[Rax] & ~0xFFFFUL) | ((ulong)p & 0xFFFF);
                    lo = (ulong)p & 0xFF;
                    overflow = p != (sbyte)p;
                    break;
                }

            case 2:
                {
                    long p = (short)g[Rax] * (long)(short)src;
                    lo = (ulong)p & 0xFFFF;
                    g[Rax] = (g[Rax] & ~0xFFFFUL) | lo;
                    g[Rdx] = (g[Rdx] & ~0xFFFFUL) | (((ulong)p >> 16) & 0xFFFF);
                    overflow = p != (short)p;
                    break;
                }

            case 4:
                {
                    long p = (int)g[Rax] * (long)(int)src;
                    lo = (uint)p;
                    g[Rax] = lo;
                    g[Rdx] = (uint)((ulong)p >> 32);
                    overflow = p != (int)p;
                    break;
                }

            default:
                {
                    long hi = Math.BigMul((long)g[Rax], (long)src, out long low);
                    lo = (ulong)low;
                    g[Rax] = lo;
                    g[Rdx] = (ulong)hi;
                    overflow = hi != (low >> 63);
                    break;
                }
        }

        s.SetArithmeticFlags((overflow ? Rflag.CF | Rflag.OF : 0) | Alu.SignZeroParity(lo, size));
    }

    /// <summary>Two- and three-operand IMUL: the product truncated to <paramref name="size"/>; CF=OF when it did not fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Imul(CpuState s, ulong a, ulong b, int size)
    {
        ulong r;
        bool overflow;
        if (size == 8)
        {
            // The Int128 form keeps both halves in registers (the out-parameter form goes through the stack).
            Int128 p = Math.BigMul((long)a, (long)b);
            r = (ulong)p;
            overflow = (long)(p >> 64) != ((long)r >> 63);
        }
        else
        {
            long p = Operands.SignExtend(a, size) * Operands.SignExtend(b, size);
            r = (ulong)p & Operands.SizeMask(size);
            overflow = p != Operands.SignExtend(r, size);
        }

        // Lazy: CF=OF=overflow; SF ZF PF (undefined, SDM Vol. 2A IMUL) from the result when read, AF clear.
        s.LazyCarry = overflow ? 1UL : 0UL;
        s.SetLazy(FlagOp.Mul, 0, 0, r, size);
        return r;
    }

    /// <summary>Unsigned divide of the accumulator pair by <paramref name="divisor"/>; flags unchanged.</summary>
    public static void Div(CpuState s, ulong divisor, int size)
    {
        ulong[] g = s.Gpr;
        divisor &= Operands.SizeMask(size);
        if (divisor == 0)
        {
            throw CpuException.DivideError();
        }

        switch (size)
        {
            case 1:
                {
                    ulong n = (ushort)g[Rax];
                    ulong q = n / divisor;
                    if (q > 0xFF)
                    {
                        throw CpuException.DivideError();
                    }

                    g[Rax] = (g[Rax] & ~0xFFFFUL) | ((n % divisor) << 8) | q;
                    break;
                }

            case 2:
                {
                    ulong n = ((ulong)(ushort)g[Rdx] << 16) | (ushort)g[Rax];
                    ulong q = n / divisor;
                    if (q > 0xFFFF)
                    {
                        throw CpuException.DivideError();
                    }

                    g[Rax] = (g[Rax] & ~0xFFFFUL) | q;
                    g[Rdx] = (g[Rdx] & ~0xFFFFUL) | (n % divisor);
                    break;
                }

            case 4:
                {
                    ulong n = ((ulong)(uint)g[Rdx] << 32) | (uint)g[Rax];
                    ulong q = n / divisor;
                    if (q > 0xFFFF_FFFF)
                    {
                        throw CpuException.DivideError();
                    }

                    g[Rax] = q;
                    g[Rdx] = n % divisor;
                    break;
                }

            default:
                {
                    if (g[Rdx] >= divisor)
                    {
                        throw CpuException.DivideError();
                    }

                    UInt128 n = ((UInt128)g[Rdx] << 64) | g[Rax];
                    g[Rax] = (ulong)(n / divisor);
                    g[Rdx] = (ulong)(n % divisor);
                    break;
                }
        }
    }

    /// <summary>Signed divide of the accumulator pair by <paramref name="divisor"/> (quotient truncated toward zero); flags unchanged.</summary>
    public static void Idiv(CpuState s, ulong divisor, int size)
    {
        ulong[] g = s.Gpr;
        long d = Operands.SignExtend(divisor, size);
        if (d == 0)
        {
            throw CpuException.DivideError();
        }

        switch (size)
        {
            case 1:
                {
                    long n = (short)g[Rax];
                    long q = n / d;
                    if (q != (sbyte)q)
                    {
                        throw CpuException.DivideError();
                    }

                    long r = n % d;
                    g[Rax] = (g[Rax] & ~0xFFFFUL) | (((ulong)r & 0xFF) << 8) | ((ulong)q & 0xFF);
                    break;
                }

            case 2:
                {
                    long n = (int)(((uint)(ushort)g[Rdx] << 16) | (ushort)g[Rax]);
                    long q = n / d;
                    if (q != (short)q)
                    {
                        throw CpuException.DivideError();
                    }

                    g[Rax] = (g[Rax] & ~0xFFFFUL) | ((ulong)q & 0xFFFF);
                    g[Rdx] = (g[Rdx] & ~0xFFFFUL) | ((ulong)(n % d) & 0xFFFF);
                    break;
                }

            case 4:
                {
                    long n = (long)(((ulong)(uint)g[Rdx] << 32) | (uint)g[Rax]);
                    long q = n / d;
                    if (q != (int)q)
                    {
                        throw CpuException.DivideError();
                    }

                    g[Rax] = (uint)q;
                    g[Rdx] = (uint)(n % d);
                    break;
                }

            default:
                {
                    Int128 n = (Int128)(((UInt128)g[Rdx] << 64) | g[Rax]);
                    Int128 q = n / d;
                    if (q != (long)q)
                    {
                        throw CpuException.DivideError();
                    }

                    g[Rax] = (ulong)(long)q;
                    g[Rdx] = (ulong)(long)(n % d);
                    break;
                }
        }
    }
}
