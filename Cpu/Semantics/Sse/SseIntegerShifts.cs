using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// PSLLx/PSRLx/PSRAx by an immediate or by the low 64 bits of an XMM/m128 operand. Counts beyond the
/// element width give zero (logical) or the sign everywhere (arithmetic), unlike C# shifts, which mask
/// the count (Intel SDM Vol. 2, PSLLW/PSLLD/PSLLQ).
/// </summary>
public static class SseIntegerShifts
{
    public static void Psllw(Processor cpu, ref Instruction ins) => Shift(cpu, ins, 16, Kind.Left);

    public static void Pslld(Processor cpu, ref Instruction ins) => Shift(cpu, ins, 32, Kind.Left);

    public static void Psllq(Processor cpu, ref Instruction ins) => Shift(cpu, ins, 64, Kind.Left);

    public static void Psrlw(Processor cpu, ref Instruction ins) => Shift(cpu, ins, 16, Kind.Logical);

    public static void Psrld(Processor cpu, ref Instruction ins) => Shift(cpu, ins, 32, Kind.Logical);

    public static void Psrlq(Processor cpu, ref Instruction ins) => Shift(cpu, ins, 64, Kind.Logical);

    public static void Psraw(Processor cpu, ref Instruction ins) => Shift(cpu, ins, 16, Kind.Arithmetic);

    public static void Psrad(Processor cpu, ref Instruction ins) => Shift(cpu, ins, 32, Kind.Arithmetic);

    private enum Kind
    {
        Left,
        Logical,
        Arithmetic,
    }

    private static void Shift(Processor cpu, in Instruction ins, int width, Kind kind)
    {
        ulong count = ins.Op1Kind == OpKind.Immediate8 ? ins.Immediate8 : SseMoves.Source(cpu, ins).GetElement(0);
        Vector128<ulong> v = SseMoves.Destination(cpu, ins);
        Vector128<ulong> r;
        if (count >= (ulong)width)
        {
            r = kind == Kind.Arithmetic ? ShiftArithmetic(v, width, width - 1) : Vector128<ulong>.Zero;
        }
        else
        {
            int n = (int)count;
            r = (width, kind) switch
            {
                (16, Kind.Left) => Vector128.ShiftLeft(v.AsUInt16(), n).AsUInt64(),
                (32, Kind.Left) => Vector128.ShiftLeft(v.AsUInt32(), n).AsUInt64(),
                (64, Kind.Left) => Vector128.ShiftLeft(v, n),
                (16, Kind.Logical) => Vector128.ShiftRightLogical(v.AsUInt16(), n).AsUInt64(),
                (32, Kind.Logical) => Vector128.ShiftRightLogical(v.AsUInt32(), n).AsUInt64(),
                (64, Kind.Logical) => Vector128.ShiftRightLogical(v, n),
                _ => ShiftArithmetic(v, width, n),
            };
        }

        SseMoves.SetDestination(cpu, ins, r);
    }

    private static Vector128<ulong> ShiftArithmetic(Vector128<ulong> v, int width, int n) =>
        width == 16 ? Vector128.ShiftRightArithmetic(v.AsInt16(), n).AsUInt64() : Vector128.ShiftRightArithmetic(v.AsInt32(), n).AsUInt64();
}
