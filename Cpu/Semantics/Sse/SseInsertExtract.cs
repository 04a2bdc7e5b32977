using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// The SSE4.1 element inserts and extracts between XMM and general registers or memory (Intel SDM Vol. 2:
/// PEXTRB/D/Q, EXTRACTPS, PINSRB/D/Q, INSERTPS); PEXTRW and PINSRW are in <see cref="SseShuffles"/>.
/// An extract into a general register zero-extends it.
/// </summary>
public static class SseInsertExtract
{
    public static void Pextrb(Processor cpu, ref Instruction ins) => Operands.WriteOperand(cpu, ins, 0, Source(cpu, ins).AsByte().GetElement(ins.Immediate8 & 15));

    public static void Pextrd(Processor cpu, ref Instruction ins) => Operands.WriteOperand(cpu, ins, 0, Source(cpu, ins).AsUInt32().GetElement(ins.Immediate8 & 3));

    public static void Pextrq(Processor cpu, ref Instruction ins) => Operands.WriteOperand(cpu, ins, 0, Source(cpu, ins).GetElement(ins.Immediate8 & 1));

    /// <summary>EXTRACTPS: the single's bits, as PEXTRD.</summary>
    public static void Extractps(Processor cpu, ref Instruction ins) => Pextrd(cpu, ref ins);

    public static void Pinsrb(Processor cpu, ref Instruction ins) =>
        SseMoves.SetDestination(cpu, ins, SseMoves.Destination(cpu, ins).AsByte().WithElement(ins.Immediate8 & 15, (byte)SseOperands.ReadScalar(cpu, ins, 1, 1)).AsUInt64());

    public static void Pinsrd(Processor cpu, ref Instruction ins) =>
        SseMoves.SetDestination(cpu, ins, SseMoves.Destination(cpu, ins).AsUInt32().WithElement(ins.Immediate8 & 3, (uint)SseOperands.ReadScalar(cpu, ins, 1, 4)).AsUInt64());

    public static void Pinsrq(Processor cpu, ref Instruction ins) =>
        SseMoves.SetDestination(cpu, ins, SseMoves.Destination(cpu, ins).WithElement(ins.Immediate8 & 1, SseOperands.ReadScalar(cpu, ins, 1, 8)));

    /// <summary>
    /// INSERTPS: a single (source element imm8[7:6] of a register, or the m32) into destination element
    /// imm8[5:4], then the elements imm8[3:0] selects zeroed.
    /// </summary>
    public static void Insertps(Processor cpu, ref Instruction ins)
    {
        int imm = ins.Immediate8;
        uint value = ins.Op1Kind == OpKind.Memory
            ? (uint)SseOperands.ReadScalar(cpu, ins, 1, 4)
            : SseOperands.Xmm(cpu.State, ins.Op1Register).AsUInt32().GetElement(imm >> 6);
        Vector128<uint> r = SseMoves.Destination(cpu, ins).AsUInt32().WithElement((imm >> 4) & 3, value);
        for (int i = 0; i < 4; i++)
        {
            if ((imm & (1 << i)) != 0)
            {
                r = r.WithElement(i, 0u);
            }
        }

        SseMoves.SetDestination(cpu, ins, r.AsUInt64());
    }

    private static Vector128<ulong> Source(Processor cpu, in Instruction ins) => SseOperands.Xmm(cpu.State, ins.Op1Register);
}
