using Cpu.Semantics.Float;
using Cpu.State;
using Iced.Intel;
using static Cpu.Semantics.X87.X87Fpu;

namespace Cpu.Semantics.X87;

/// <summary>
/// FBLD and FBSTP (Intel SDM Vol. 2; Vol. 1, 4.7): the 80-bit packed BCD integer, 18 digits in bytes 0-8
/// (two per byte, low digit first) and the sign in bit 7 of byte 9. Loading is exact; storing rounds by
/// the rounding control and, beyond 18 digits or for a NaN or infinity, is invalid (masked: the BCD
/// indefinite). Digits above 9 are undefined by the SDM: they are read with their binary weight.
/// </summary>
public static class X87Decimal
{
    private const int Digits = 18;
    private const long Limit = 999_999_999_999_999_999;

    /// <summary>The packed BCD indefinite (SDM Table 4-3): bytes 9-7 are FF FF C0, the rest zero.</summary>
    private const ulong IndefiniteLow = 0xC000_0000_0000_0000;
    private const ushort IndefiniteHigh = 0xFFFF;

    public static void Load(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        ulong address = Operands.EffectiveAddress(cpu, ins);
        ulong low = cpu.Memory.Read64(address);
        ushort high = cpu.Memory.Read16(address + 8);
        long value = 0;
        long weight = 1;
        for (int i = 0; i < Digits; i++)
        {
            ulong packed = i < 16 ? low : high;
            value += (long)((packed >> (4 * (i % 16))) & 0xF) * weight;
            weight *= 10;
        }

        FloatContext ctx = Context(x);
        Unpacked u = SoftFloat.FromInteger(value, FloatFormat.Extended, ref ctx);
        Push(x, SoftFloat.PackExtended((high & 0x8000) != 0 ? u.Negated() : u));
    }

    public static void StorePop(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        ulong address = Operands.EffectiveAddress(cpu, ins);
        cpu.Memory.ProbeWrite(address, 10);
        ulong low = IndefiniteLow;
        ushort high = IndefiniteHigh;
        if (IsEmpty(x, 0))
        {
            if (!Underflow(x))
            {
                return;
            }
        }
        else
        {
            Unpacked a = SoftFloat.Unpack(Get(x, 0));
            FloatContext ctx = Context(x);
            long value = SoftFloat.ToInteger(a, 64, truncate: false, ref ctx);
            if ((ctx.Flags & FloatFlags.Invalid) != 0 || value > Limit || value < -Limit)
            {
                ctx.Flags = FloatFlags.Invalid;
            }
            else
            {
                (low, high) = Pack(Math.Abs(value), a.Sign);
            }

            if (Raise(x, ctx.Flags))
            {
                return;
            }

            SetC1(x, ctx.RoundedUp);
        }

        cpu.Memory.Write64(address, low);
        cpu.Memory.Write16(address + 8, high);
        Pop(x);
    }

    private static (ulong Low, ushort High) Pack(long magnitude, bool negative)
    {
        ulong low = 0;
        ulong high = 0;
        for (int i = 0; i < Digits; i++)
        {
            ulong digit = (ulong)(magnitude % 10);
            magnitude /= 10;
            if (i < 16)
            {
                low |= digit << (4 * i);
            }
            else
            {
                high |= digit << (4 * (i - 16));
            }
        }

        return (low, (ushort)(high | (negative ? 0x8000UL : 0)));
    }
}
