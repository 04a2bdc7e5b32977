using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// SSE/SSE2 shuffles, unpacks (interleaves), whole-register byte shifts and word insert/extract
/// (Intel SDM Vol. 2: SHUFPS, SHUFPD, UNPCKxPx, PSHUFD/LW/HW, PUNPCKxxx, PSLLDQ/PSRLDQ, PEXTRW, PINSRW),
/// the SSE3 MOVSLDUP/MOVSHDUP/MOVDDUP and the SSSE3 PSHUFB and PALIGNR.
/// </summary>
public static class SseShuffles
{
    public static void Shufps(Processor cpu, ref Instruction ins)
    {
        Vector128<uint> a = SseMoves.Destination(cpu, ins).AsUInt32(), b = SseMoves.Source(cpu, ins).AsUInt32();
        int imm = ins.Immediate8;
        SseMoves.SetDestination(cpu, ins, Vector128.Create(a.GetElement(imm & 3), a.GetElement((imm >> 2) & 3), b.GetElement((imm >> 4) & 3), b.GetElement((imm >> 6) & 3)).AsUInt64());
    }

    public static void Shufpd(Processor cpu, ref Instruction ins)
    {
        Vector128<ulong> a = SseMoves.Destination(cpu, ins), b = SseMoves.Source(cpu, ins);
        int imm = ins.Immediate8;
        SseMoves.SetDestination(cpu, ins, Vector128.Create(a.GetElement(imm & 1), b.GetElement((imm >> 1) & 1)));
    }

    public static void Pshufd(Processor cpu, ref Instruction ins)
    {
        Vector128<uint> v = SseMoves.Source(cpu, ins).AsUInt32();
        int imm = ins.Immediate8;
        SseMoves.SetDestination(cpu, ins, Vector128.Create(v.GetElement(imm & 3), v.GetElement((imm >> 2) & 3), v.GetElement((imm >> 4) & 3), v.GetElement((imm >> 6) & 3)).AsUInt64());
    }

    public static void Pshuflw(Processor cpu, ref Instruction ins) => ShuffleWords(cpu, ins, 0);

    public static void Pshufhw(Processor cpu, ref Instruction ins) => ShuffleWords(cpu, ins, 4);

    public static void Unpcklps(Processor cpu, ref Instruction ins) => Unpack(cpu, ins, 4, high: false);

    public static void Unpckhps(Processor cpu, ref Instruction ins) => Unpack(cpu, ins, 4, high: true);

    public static void Unpcklpd(Processor cpu, ref Instruction ins) => Unpack(cpu, ins, 8, high: false);

    public static void Unpckhpd(Processor cpu, ref Instruction ins) => Unpack(cpu, ins, 8, high: true);

    public static void Punpcklbw(Processor cpu, ref Instruction ins) => Unpack(cpu, ins, 1, high: false);

    public static void Punpcklwd(Processor cpu, ref Instruction ins) => Unpack(cpu, ins, 2, high: false);

    public static void Punpckldq(Processor cpu, ref Instruction ins) => Unpack(cpu, ins, 4, high: false);

    public static void Punpcklqdq(Processor cpu, ref Instruction ins) => Unpack(cpu, ins, 8, high: false);

    public static void Punpckhbw(Processor cpu, ref Instruction ins) => Unpack(cpu, ins, 1, high: true);

    public static void Punpckhwd(Processor cpu, ref Instruction ins) => Unpack(cpu, ins, 2, high: true);

    public static void Punpckhdq(Processor cpu, ref Instruction ins) => Unpack(cpu, ins, 4, high: true);

    public static void Punpckhqdq(Processor cpu, ref Instruction ins) => Unpack(cpu, ins, 8, high: true);

    public static void Pslldq(Processor cpu, ref Instruction ins) => ShiftBytes(cpu, ins, left: true);

    public static void Psrldq(Processor cpu, ref Instruction ins) => ShiftBytes(cpu, ins, left: false);

    /// <summary>PEXTRW r32/r64, xmm, imm8 (SSE2) and PEXTRW r32/m16, xmm, imm8 (SSE4.1): zero-extended into a register.</summary>
    /// <remarks>PEXTRW r32/r64, mm, imm8 (SSE) selects among four words.</remarks>
    public static void Pextrw(Processor cpu, ref Instruction ins)
    {
        Operands.WriteOperand(cpu, ins, 0, SseOperands.Register128(cpu.State, ins.Op1Register).AsUInt16().GetElement(ins.Immediate8 & ((SseOperands.Width(ins) / 2) - 1)));
        SseMoves.EnterMmxIfUsed(cpu.State, ins);
    }

    /// <summary>PINSRW into an XMM register (eight words) or an MMX register (four).</summary>
    public static void Pinsrw(Processor cpu, ref Instruction ins)
    {
        ushort w = (ushort)SseOperands.ReadScalar(cpu, ins, 1, 2);
        int index = ins.Immediate8 & ((SseOperands.Width(ins) / 2) - 1);
        SseMoves.SetDestination(cpu, ins, SseMoves.Destination(cpu, ins).AsUInt16().WithElement(index, w).AsUInt64());
    }

    public static void Movsldup(Processor cpu, ref Instruction ins)
    {
        Vector128<uint> v = SseMoves.Source(cpu, ins).AsUInt32();
        SseMoves.SetDestination(cpu, ins, Vector128.Create(v.GetElement(0), v.GetElement(0), v.GetElement(2), v.GetElement(2)).AsUInt64());
    }

    public static void Movshdup(Processor cpu, ref Instruction ins)
    {
        Vector128<uint> v = SseMoves.Source(cpu, ins).AsUInt32();
        SseMoves.SetDestination(cpu, ins, Vector128.Create(v.GetElement(1), v.GetElement(1), v.GetElement(3), v.GetElement(3)).AsUInt64());
    }

    /// <summary>MOVDDUP: the low double of xmm/m64 in both halves.</summary>
    public static void Movddup(Processor cpu, ref Instruction ins)
    {
        ulong low = SseOperands.ReadScalar(cpu, ins, 1, 8);
        SseMoves.SetDestination(cpu, ins, Vector128.Create(low, low));
    }

    /// <summary>
    /// PSHUFB: each destination byte from the byte the source's low four bits (three for MMX registers) select,
    /// or zero when its bit 7 is set.
    /// </summary>
    public static void Pshufb(Processor cpu, ref Instruction ins)
    {
        Vector128<byte> a = SseMoves.Destination(cpu, ins).AsByte(), b = SseMoves.Source(cpu, ins).AsByte();
        int width = SseOperands.Width(ins);
        Span<byte> r = stackalloc byte[16];
        r.Clear();
        for (int i = 0; i < width; i++)
        {
            byte sel = b.GetElement(i);
            r[i] = (sel & 0x80) != 0 ? (byte)0 : a.GetElement(sel & (width - 1));
        }

        SseMoves.SetDestination(cpu, ins, Vector128.Create<byte>(r).AsUInt64());
    }

    /// <summary>
    /// PALIGNR: the destination:source pair (destination high) shifted right by imm8 bytes, the low 16 kept
    /// (for MMX registers: the 16-byte pair of two quadwords, the low 8 kept).
    /// </summary>
    public static void Palignr(Processor cpu, ref Instruction ins)
    {
        UInt128 high = ToUInt128(SseMoves.Destination(cpu, ins)), low = ToUInt128(SseMoves.Source(cpu, ins));
        int shift = ins.Immediate8 * 8;
        if (SseOperands.Width(ins) == 8)
        {
            UInt128 pair = (high << 64) | low;
            SseMoves.SetDestination(cpu, ins, FromUInt128(shift < 128 ? pair >> shift : UInt128.Zero));
            return;
        }

        UInt128 r = shift switch
        {
            0 => low,
            < 128 => (low >> shift) | (high << (128 - shift)),
            < 256 => high >> (shift - 128),
            _ => UInt128.Zero,
        };
        SseMoves.SetDestination(cpu, ins, FromUInt128(r));
    }

    public static UInt128 ToUInt128(Vector128<ulong> v) => ((UInt128)v.GetElement(1) << 64) | v.GetElement(0);

    public static Vector128<ulong> FromUInt128(UInt128 v) => Vector128.Create((ulong)v, (ulong)(v >> 64));

    private static void ShuffleWords(Processor cpu, in Instruction ins, int at)
    {
        Vector128<ushort> v = SseMoves.Source(cpu, ins).AsUInt16();
        int imm = ins.Immediate8;
        Vector128<ushort> r = v;
        for (int i = 0; i < 4; i++)
        {
            r = r.WithElement(at + i, v.GetElement(at + ((imm >> (2 * i)) & 3)));
        }

        SseMoves.SetDestination(cpu, ins, r.AsUInt64());
    }

    private static void ShiftBytes(Processor cpu, in Instruction ins, bool left)
    {
        UInt128 v = ToUInt128(SseMoves.Destination(cpu, ins));
        int bits = Math.Min((int)ins.Immediate8, 16) * 8;
        v = bits == 128 ? UInt128.Zero : left ? v << bits : v >> bits;
        SseMoves.SetDestination(cpu, ins, FromUInt128(v));
    }

    /// <summary>Interleaves the low (or high) halves of the destination and the source (XMM or MMX), element by element.</summary>
    private static void Unpack(Processor cpu, in Instruction ins, int elementSize, bool high)
    {
        Span<byte> a = stackalloc byte[16], b = stackalloc byte[16], r = stackalloc byte[16];
        SseMoves.Destination(cpu, ins).AsByte().CopyTo(a);
        SseMoves.Source(cpu, ins).AsByte().CopyTo(b);
        int half = SseOperands.Width(ins) / 2;
        int from = high ? half : 0;
        r.Clear();
        for (int i = 0, o = 0; i < half; i += elementSize)
        {
            a.Slice(from + i, elementSize).CopyTo(r[o..]);
            o += elementSize;
            b.Slice(from + i, elementSize).CopyTo(r[o..]);
            o += elementSize;
        }

        SseMoves.SetDestination(cpu, ins, Vector128.Create<byte>(r).AsUInt64());
    }
}
