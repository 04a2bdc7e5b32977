using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Cpu.State;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// The SSE2 packed-integer instructions on XMM registers (Intel SDM Vol. 2: PADDx, PSUBx, saturating
/// forms, PCMPEQx/PCMPGTx, PMULLW/PMULHW/PMULHUW/PMULUDQ/PMADDWD, PMIN/PMAX, PAVG, PSADBW, shifts,
/// PACKSS/PACKUS, PMOVMSKB). Where the cross-platform <see cref="Vector128"/> operation has the
/// instruction's exact semantics it is used (no flags are involved); the rest are lane loops.
/// </summary>
public static class SseIntegerInstructions
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
        if (ins.Mnemonic == Mnemonic.Pmovmskb)
        {
            Operands.WriteRegister(s, ins.Op0Register, SseOperands.Xmm(s, ins.Op1Register).AsByte().ExtractMostSignificantBits());
            return true;
        }

        if (Shift(cpu, ins))
        {
            return true;
        }

        Vector128<ulong> a = SseOperands.Xmm(s, ins.Op0Register);
        Vector128<ulong> r;
        switch (ins.Mnemonic)
        {
            case Mnemonic.Paddb: r = (a.AsByte() + Source(cpu, ins).AsByte()).AsUInt64(); break;
            case Mnemonic.Paddw: r = (a.AsUInt16() + Source(cpu, ins).AsUInt16()).AsUInt64(); break;
            case Mnemonic.Paddd: r = (a.AsUInt32() + Source(cpu, ins).AsUInt32()).AsUInt64(); break;
            case Mnemonic.Paddq: r = a + Source(cpu, ins); break;
            case Mnemonic.Psubb: r = (a.AsByte() - Source(cpu, ins).AsByte()).AsUInt64(); break;
            case Mnemonic.Psubw: r = (a.AsUInt16() - Source(cpu, ins).AsUInt16()).AsUInt64(); break;
            case Mnemonic.Psubd: r = (a.AsUInt32() - Source(cpu, ins).AsUInt32()).AsUInt64(); break;
            case Mnemonic.Psubq: r = a - Source(cpu, ins); break;
            case Mnemonic.Pcmpeqb: r = Vector128.Equals(a.AsByte(), Source(cpu, ins).AsByte()).AsUInt64(); break;
            case Mnemonic.Pcmpeqw: r = Vector128.Equals(a.AsUInt16(), Source(cpu, ins).AsUInt16()).AsUInt64(); break;
            case Mnemonic.Pcmpeqd: r = Vector128.Equals(a.AsUInt32(), Source(cpu, ins).AsUInt32()).AsUInt64(); break;
            case Mnemonic.Pcmpgtb: r = Vector128.GreaterThan(a.AsSByte(), Source(cpu, ins).AsSByte()).AsUInt64(); break;
            case Mnemonic.Pcmpgtw: r = Vector128.GreaterThan(a.AsInt16(), Source(cpu, ins).AsInt16()).AsUInt64(); break;
            case Mnemonic.Pcmpgtd: r = Vector128.GreaterThan(a.AsInt32(), Source(cpu, ins).AsInt32()).AsUInt64(); break;
            case Mnemonic.Pminub: r = Vector128.Min(a.AsByte(), Source(cpu, ins).AsByte()).AsUInt64(); break;
            case Mnemonic.Pmaxub: r = Vector128.Max(a.AsByte(), Source(cpu, ins).AsByte()).AsUInt64(); break;
            case Mnemonic.Pminsw: r = Vector128.Min(a.AsInt16(), Source(cpu, ins).AsInt16()).AsUInt64(); break;
            case Mnemonic.Pmaxsw: r = Vector128.Max(a.AsInt16(), Source(cpu, ins).AsInt16()).AsUInt64(); break;
            case Mnemonic.Pmullw: r = (a.AsInt16() * Source(cpu, ins).AsInt16()).AsUInt64(); break;
            case Mnemonic.Pmuludq:
                {
                    Vector128<ulong> b = Source(cpu, ins);
                    r = Vector128.Create((ulong)(uint)a.GetElement(0) * (uint)b.GetElement(0), (ulong)(uint)a.GetElement(1) * (uint)b.GetElement(1));
                    break;
                }

            default:
                return Lanes(cpu, ins, a);
        }

        SseOperands.SetXmm(s, ins.Op0Register, r);
        return true;
    }

    private static Vector128<ulong> Source(Processor cpu, in Instruction ins) => SseOperands.Read128(cpu, ins, 1);

    /// <summary>The operations computed lane by lane.</summary>
    private static bool Lanes(Processor cpu, in Instruction ins, Vector128<ulong> destination)
    {
        Mnemonic m = ins.Mnemonic;
        if (m is not (Mnemonic.Paddsb or Mnemonic.Paddsw or Mnemonic.Paddusb or Mnemonic.Paddusw or Mnemonic.Psubsb or Mnemonic.Psubsw or
            Mnemonic.Psubusb or Mnemonic.Psubusw or Mnemonic.Pmulhw or Mnemonic.Pmulhuw or Mnemonic.Pmaddwd or Mnemonic.Pavgb or Mnemonic.Pavgw or
            Mnemonic.Psadbw or Mnemonic.Packsswb or Mnemonic.Packssdw or Mnemonic.Packuswb))
        {
            return false;
        }

        Span<byte> a = stackalloc byte[16], b = stackalloc byte[16], r = stackalloc byte[16];
        destination.AsByte().CopyTo(a);
        Source(cpu, ins).AsByte().CopyTo(b);
        Span<sbyte> sa = MemoryMarshal.Cast<byte, sbyte>(a), sb = MemoryMarshal.Cast<byte, sbyte>(b);
        Span<short> wa = MemoryMarshal.Cast<byte, short>(a), wb = MemoryMarshal.Cast<byte, short>(b);
        Span<ushort> ua = MemoryMarshal.Cast<byte, ushort>(a), ub = MemoryMarshal.Cast<byte, ushort>(b);
        Span<int> da = MemoryMarshal.Cast<byte, int>(a), db = MemoryMarshal.Cast<byte, int>(b);
        Span<sbyte> sr = MemoryMarshal.Cast<byte, sbyte>(r);
        Span<short> wr = MemoryMarshal.Cast<byte, short>(r);
        Span<ushort> ur = MemoryMarshal.Cast<byte, ushort>(r);
        Span<int> dr = MemoryMarshal.Cast<byte, int>(r);
        switch (m)
        {
            case Mnemonic.Paddsb: for (int i = 0; i < 16; i++) { sr[i] = (sbyte)Math.Clamp(sa[i] + sb[i], sbyte.MinValue, sbyte.MaxValue); } break;
            case Mnemonic.Psubsb: for (int i = 0; i < 16; i++) { sr[i] = (sbyte)Math.Clamp(sa[i] - sb[i], sbyte.MinValue, sbyte.MaxValue); } break;
            case Mnemonic.Paddusb: for (int i = 0; i < 16; i++) { r[i] = (byte)Math.Min(a[i] + b[i], byte.MaxValue); } break;
            case Mnemonic.Psubusb: for (int i = 0; i < 16; i++) { r[i] = (byte)Math.Max(a[i] - b[i], 0); } break;
            case Mnemonic.Paddsw: for (int i = 0; i < 8; i++) { wr[i] = (short)Math.Clamp(wa[i] + wb[i], short.MinValue, short.MaxValue); } break;
            case Mnemonic.Psubsw: for (int i = 0; i < 8; i++) { wr[i] = (short)Math.Clamp(wa[i] - wb[i], short.MinValue, short.MaxValue); } break;
            case Mnemonic.Paddusw: for (int i = 0; i < 8; i++) { ur[i] = (ushort)Math.Min(ua[i] + ub[i], ushort.MaxValue); } break;
            case Mnemonic.Psubusw: for (int i = 0; i < 8; i++) { ur[i] = (ushort)Math.Max(ua[i] - ub[i], 0); } break;
            case Mnemonic.Pmulhw: for (int i = 0; i < 8; i++) { wr[i] = (short)((wa[i] * wb[i]) >> 16); } break;
            case Mnemonic.Pmulhuw: for (int i = 0; i < 8; i++) { ur[i] = (ushort)((ua[i] * ub[i]) >> 16); } break;
            case Mnemonic.Pmaddwd: for (int i = 0; i < 4; i++) { dr[i] = (int)((uint)(wa[2 * i] * wb[2 * i]) + (uint)(wa[(2 * i) + 1] * wb[(2 * i) + 1])); } break;
            case Mnemonic.Pavgb: for (int i = 0; i < 16; i++) { r[i] = (byte)((a[i] + b[i] + 1) >> 1); } break;
            case Mnemonic.Pavgw: for (int i = 0; i < 8; i++) { ur[i] = (ushort)((ua[i] + ub[i] + 1) >> 1); } break;
            case Mnemonic.Psadbw:
                for (int half = 0; half < 2; half++)
                {
                    int sum = 0;
                    for (int i = 0; i < 8; i++)
                    {
                        sum += Math.Abs(a[(8 * half) + i] - b[(8 * half) + i]);
                    }

                    wr[4 * half] = (short)sum;
                }

                break;
            case Mnemonic.Packsswb:
                for (int i = 0; i < 8; i++)
                {
                    sr[i] = (sbyte)Math.Clamp((int)wa[i], sbyte.MinValue, sbyte.MaxValue);
                    sr[i + 8] = (sbyte)Math.Clamp((int)wb[i], sbyte.MinValue, sbyte.MaxValue);
                }

                break;
            case Mnemonic.Packuswb:
                for (int i = 0; i < 8; i++)
                {
                    r[i] = (byte)Math.Clamp((int)wa[i], 0, byte.MaxValue);
                    r[i + 8] = (byte)Math.Clamp((int)wb[i], 0, byte.MaxValue);
                }

                break;
            default:
                for (int i = 0; i < 4; i++)
                {
                    wr[i] = (short)Math.Clamp(da[i], short.MinValue, short.MaxValue);
                    wr[i + 4] = (short)Math.Clamp(db[i], short.MinValue, short.MaxValue);
                }

                break;
        }

        SseOperands.SetXmm(cpu.State, ins.Op0Register, Vector128.Create<byte>(r).AsUInt64());
        return true;
    }

    /// <summary>
    /// PSLLx/PSRLx/PSRAx by an immediate or by the low 64 bits of an XMM/m128 operand. Counts beyond the
    /// element width give zero (logical) or the sign everywhere (arithmetic), unlike C# shifts, which mask the count.
    /// </summary>
    private static bool Shift(Processor cpu, in Instruction ins)
    {
        (int width, int kind) = ins.Mnemonic switch
        {
            Mnemonic.Psllw => (16, 0),
            Mnemonic.Pslld => (32, 0),
            Mnemonic.Psllq => (64, 0),
            Mnemonic.Psrlw => (16, 1),
            Mnemonic.Psrld => (32, 1),
            Mnemonic.Psrlq => (64, 1),
            Mnemonic.Psraw => (16, 2),
            Mnemonic.Psrad => (32, 2),
            _ => (0, 0),
        };
        if (width == 0)
        {
            return false;
        }

        CpuState s = cpu.State;
        ulong count = ins.Op1Kind == OpKind.Immediate8 ? ins.Immediate8 : SseOperands.Read128(cpu, ins, 1).GetElement(0);
        Vector128<ulong> v = SseOperands.Xmm(s, ins.Op0Register);
        Vector128<ulong> r;
        if (count >= (ulong)width)
        {
            r = kind == 2 ? ShiftArithmetic(v, width, width - 1) : Vector128<ulong>.Zero;
        }
        else
        {
            int n = (int)count;
            r = (width, kind) switch
            {
                (16, 0) => Vector128.ShiftLeft(v.AsUInt16(), n).AsUInt64(),
                (32, 0) => Vector128.ShiftLeft(v.AsUInt32(), n).AsUInt64(),
                (64, 0) => Vector128.ShiftLeft(v, n),
                (16, 1) => Vector128.ShiftRightLogical(v.AsUInt16(), n).AsUInt64(),
                (32, 1) => Vector128.ShiftRightLogical(v.AsUInt32(), n).AsUInt64(),
                (64, 1) => Vector128.ShiftRightLogical(v, n),
                _ => ShiftArithmetic(v, width, n),
            };
        }

        SseOperands.SetXmm(s, ins.Op0Register, r);
        return true;
    }

    private static Vector128<ulong> ShiftArithmetic(Vector128<ulong> v, int width, int n) =>
        width == 16 ? Vector128.ShiftRightArithmetic(v.AsInt16(), n).AsUInt64() : Vector128.ShiftRightArithmetic(v.AsInt32(), n).AsUInt64();
}
