using System.Runtime.Intrinsics;
using Cpu.State;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// SSE/SSE2 shuffles, unpacks (interleaves), whole-register byte shifts and word insert/extract
/// (Intel SDM Vol. 2: SHUFPS, SHUFPD, UNPCKxPx, PSHUFD/LW/HW, PUNPCKxxx, PSLLDQ/PSRLDQ, PEXTRW, PINSRW).
/// </summary>
public static class SseShuffles
{
    /// <summary>The forms Cpu/Instructions/SseInstructionForms declares for this family.</summary>
    public static void Execute(Processor cpu, ref Instruction ins)
    {
        ExtendedState.RequireSse(cpu);
        if (!TryExecute(cpu, ins))
        {
            Undefined.Execute(cpu, ref ins);
        }
    }

    private static bool TryExecute(Processor cpu, in Instruction ins)
    {
        CpuState s = cpu.State;
        switch (ins.Mnemonic)
        {
            case Mnemonic.Shufps:
                {
                    Vector128<uint> a = SseOperands.Xmm(s, ins.Op0Register).AsUInt32(), b = SseOperands.Read128(cpu, ins, 1).AsUInt32();
                    int imm = ins.Immediate8;
                    Set(s, ins, Vector128.Create(a.GetElement(imm & 3), a.GetElement((imm >> 2) & 3), b.GetElement((imm >> 4) & 3), b.GetElement((imm >> 6) & 3)).AsUInt64());
                    return true;
                }

            case Mnemonic.Shufpd:
                {
                    Vector128<ulong> a = SseOperands.Xmm(s, ins.Op0Register), b = SseOperands.Read128(cpu, ins, 1);
                    int imm = ins.Immediate8;
                    Set(s, ins, Vector128.Create(a.GetElement(imm & 1), b.GetElement((imm >> 1) & 1)));
                    return true;
                }

            case Mnemonic.Pshufd:
                {
                    Vector128<uint> v = SseOperands.Read128(cpu, ins, 1).AsUInt32();
                    int imm = ins.Immediate8;
                    Set(s, ins, Vector128.Create(v.GetElement(imm & 3), v.GetElement((imm >> 2) & 3), v.GetElement((imm >> 4) & 3), v.GetElement((imm >> 6) & 3)).AsUInt64());
                    return true;
                }

            case Mnemonic.Pshuflw:
            case Mnemonic.Pshufhw:
                {
                    Vector128<ushort> v = SseOperands.Read128(cpu, ins, 1).AsUInt16();
                    int imm = ins.Immediate8;
                    int at = ins.Mnemonic == Mnemonic.Pshuflw ? 0 : 4;
                    Vector128<ushort> r = v;
                    for (int i = 0; i < 4; i++)
                    {
                        r = r.WithElement(at + i, v.GetElement(at + ((imm >> (2 * i)) & 3)));
                    }

                    Set(s, ins, r.AsUInt64());
                    return true;
                }

            case Mnemonic.Unpcklps: return Unpack(cpu, ins, 4, high: false);
            case Mnemonic.Unpckhps: return Unpack(cpu, ins, 4, high: true);
            case Mnemonic.Unpcklpd: return Unpack(cpu, ins, 8, high: false);
            case Mnemonic.Unpckhpd: return Unpack(cpu, ins, 8, high: true);
            case Mnemonic.Punpcklbw: return Unpack(cpu, ins, 1, high: false);
            case Mnemonic.Punpcklwd: return Unpack(cpu, ins, 2, high: false);
            case Mnemonic.Punpckldq: return Unpack(cpu, ins, 4, high: false);
            case Mnemonic.Punpcklqdq: return Unpack(cpu, ins, 8, high: false);
            case Mnemonic.Punpckhbw: return Unpack(cpu, ins, 1, high: true);
            case Mnemonic.Punpckhwd: return Unpack(cpu, ins, 2, high: true);
            case Mnemonic.Punpckhdq: return Unpack(cpu, ins, 4, high: true);
            case Mnemonic.Punpckhqdq: return Unpack(cpu, ins, 8, high: true);
            case Mnemonic.Pslldq:
            case Mnemonic.Psrldq:
                {
                    UInt128 v = ToUInt128(SseOperands.Xmm(s, ins.Op0Register));
                    int bits = Math.Min((int)ins.Immediate8, 16) * 8;
                    v = bits == 128 ? UInt128.Zero : ins.Mnemonic == Mnemonic.Pslldq ? v << bits : v >> bits;
                    Set(s, ins, Vector128.Create((ulong)v, (ulong)(v >> 64)));
                    return true;
                }

            case Mnemonic.Pextrw:
                {
                    if (ins.Op0Kind != OpKind.Register)
                    {
                        return false;
                    }

                    ushort w = SseOperands.Xmm(s, ins.Op1Register).AsUInt16().GetElement(ins.Immediate8 & 7);
                    Operands.WriteRegister(s, ins.Op0Register, w);
                    return true;
                }

            case Mnemonic.Pinsrw:
                {
                    ushort w = (ushort)SseOperands.ReadScalar(cpu, ins, 1, 2);
                    Set(s, ins, SseOperands.Xmm(s, ins.Op0Register).AsUInt16().WithElement(ins.Immediate8 & 7, w).AsUInt64());
                    return true;
                }

            default:
                return false;
        }
    }

    /// <summary>Interleaves the low (or high) halves of the destination and the source, element by element.</summary>
    private static bool Unpack(Processor cpu, in Instruction ins, int elementSize, bool high)
    {
        CpuState s = cpu.State;
        Span<byte> a = stackalloc byte[16], b = stackalloc byte[16], r = stackalloc byte[16];
        SseOperands.Xmm(s, ins.Op0Register).AsByte().CopyTo(a);
        SseOperands.Read128(cpu, ins, 1).AsByte().CopyTo(b);
        int from = high ? 8 : 0;
        for (int i = 0, o = 0; i < 8; i += elementSize)
        {
            a.Slice(from + i, elementSize).CopyTo(r[o..]);
            o += elementSize;
            b.Slice(from + i, elementSize).CopyTo(r[o..]);
            o += elementSize;
        }

        Set(s, ins, Vector128.Create<byte>(r).AsUInt64());
        return true;
    }

    private static UInt128 ToUInt128(Vector128<ulong> v) => ((UInt128)v.GetElement(1) << 64) | v.GetElement(0);

    private static void Set(CpuState s, in Instruction ins, Vector128<ulong> v) => SseOperands.SetXmm(s, ins.Op0Register, v);
}
