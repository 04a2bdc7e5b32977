using System.Runtime.Intrinsics;
using Cpu.State;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// The packed-integer arithmetic on XMM registers (Intel SDM Vol. 2: PADDx, PSUBx, the saturating
/// forms, PCMPEQx/PCMPGTx, PMULLW/PMULHW/PMULHUW/PMULUDQ/PMADDWD, PMIN/PMAX, PAVG, PSADBW, PACKSS/PACKUS),
/// and the packed-integer arithmetic of SSSE3 (PABS, PSIGN, PMULHRSW, PMADDUBSW), SSE4.1 (PMIN/PMAX of the
/// other types, PMULLD, PMULDQ, PCMPEQQ, PACKUSDW, PTEST) and SSE4.2 (PCMPGTQ).
/// Where the cross-platform <see cref="Vector128"/> operation has the instruction's exact semantics it is
/// used (no flags are involved); the rest are lane loops (<see cref="SseLanes"/>).
/// </summary>
public static class SseIntegerArithmetic
{
    public static void Paddb(Processor cpu, ref Instruction ins) => Set(cpu, ins, (A(cpu, ins).AsByte() + B(cpu, ins).AsByte()).AsUInt64());

    public static void Paddw(Processor cpu, ref Instruction ins) => Set(cpu, ins, (A(cpu, ins).AsUInt16() + B(cpu, ins).AsUInt16()).AsUInt64());

    public static void Paddd(Processor cpu, ref Instruction ins) => Set(cpu, ins, (A(cpu, ins).AsUInt32() + B(cpu, ins).AsUInt32()).AsUInt64());

    public static void Paddq(Processor cpu, ref Instruction ins) => Set(cpu, ins, A(cpu, ins) + B(cpu, ins));

    public static void Psubb(Processor cpu, ref Instruction ins) => Set(cpu, ins, (A(cpu, ins).AsByte() - B(cpu, ins).AsByte()).AsUInt64());

    public static void Psubw(Processor cpu, ref Instruction ins) => Set(cpu, ins, (A(cpu, ins).AsUInt16() - B(cpu, ins).AsUInt16()).AsUInt64());

    public static void Psubd(Processor cpu, ref Instruction ins) => Set(cpu, ins, (A(cpu, ins).AsUInt32() - B(cpu, ins).AsUInt32()).AsUInt64());

    public static void Psubq(Processor cpu, ref Instruction ins) => Set(cpu, ins, A(cpu, ins) - B(cpu, ins));

    public static void Pcmpeqb(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Equals(A(cpu, ins).AsByte(), B(cpu, ins).AsByte()).AsUInt64());

    public static void Pcmpeqw(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Equals(A(cpu, ins).AsUInt16(), B(cpu, ins).AsUInt16()).AsUInt64());

    public static void Pcmpeqd(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Equals(A(cpu, ins).AsUInt32(), B(cpu, ins).AsUInt32()).AsUInt64());

    public static void Pcmpgtb(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.GreaterThan(A(cpu, ins).AsSByte(), B(cpu, ins).AsSByte()).AsUInt64());

    public static void Pcmpgtw(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.GreaterThan(A(cpu, ins).AsInt16(), B(cpu, ins).AsInt16()).AsUInt64());

    public static void Pcmpgtd(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.GreaterThan(A(cpu, ins).AsInt32(), B(cpu, ins).AsInt32()).AsUInt64());

    public static void Pminub(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Min(A(cpu, ins).AsByte(), B(cpu, ins).AsByte()).AsUInt64());

    public static void Pmaxub(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Max(A(cpu, ins).AsByte(), B(cpu, ins).AsByte()).AsUInt64());

    public static void Pminsw(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Min(A(cpu, ins).AsInt16(), B(cpu, ins).AsInt16()).AsUInt64());

    public static void Pmaxsw(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Max(A(cpu, ins).AsInt16(), B(cpu, ins).AsInt16()).AsUInt64());

    public static void Pmullw(Processor cpu, ref Instruction ins) => Set(cpu, ins, (A(cpu, ins).AsInt16() * B(cpu, ins).AsInt16()).AsUInt64());

    public static void Pmuludq(Processor cpu, ref Instruction ins)
    {
        Vector128<ulong> a = A(cpu, ins), b = B(cpu, ins);
        Set(cpu, ins, Vector128.Create((ulong)(uint)a.GetElement(0) * (uint)b.GetElement(0), (ulong)(uint)a.GetElement(1) * (uint)b.GetElement(1)));
    }

    public static void Paddsb(Processor cpu, ref Instruction ins) => SseLanes.Binary<sbyte>(cpu, ins, static (a, b) => (sbyte)Math.Clamp(a + b, sbyte.MinValue, sbyte.MaxValue));

    public static void Psubsb(Processor cpu, ref Instruction ins) => SseLanes.Binary<sbyte>(cpu, ins, static (a, b) => (sbyte)Math.Clamp(a - b, sbyte.MinValue, sbyte.MaxValue));

    public static void Paddusb(Processor cpu, ref Instruction ins) => SseLanes.Binary<byte>(cpu, ins, static (a, b) => (byte)Math.Min(a + b, byte.MaxValue));

    public static void Psubusb(Processor cpu, ref Instruction ins) => SseLanes.Binary<byte>(cpu, ins, static (a, b) => (byte)Math.Max(a - b, 0));

    public static void Paddsw(Processor cpu, ref Instruction ins) => SseLanes.Binary<short>(cpu, ins, static (a, b) => SaturateWord(a + b));

    public static void Psubsw(Processor cpu, ref Instruction ins) => SseLanes.Binary<short>(cpu, ins, static (a, b) => SaturateWord(a - b));

    public static void Paddusw(Processor cpu, ref Instruction ins) => SseLanes.Binary<ushort>(cpu, ins, static (a, b) => (ushort)Math.Min(a + b, ushort.MaxValue));

    public static void Psubusw(Processor cpu, ref Instruction ins) => SseLanes.Binary<ushort>(cpu, ins, static (a, b) => (ushort)Math.Max(a - b, 0));

    public static void Pmulhw(Processor cpu, ref Instruction ins) => SseLanes.Binary<short>(cpu, ins, static (a, b) => (short)((a * b) >> 16));

    public static void Pmulhuw(Processor cpu, ref Instruction ins) => SseLanes.Binary<ushort>(cpu, ins, static (a, b) => (ushort)((a * b) >> 16));

    public static void Pavgb(Processor cpu, ref Instruction ins) => SseLanes.Binary<byte>(cpu, ins, static (a, b) => (byte)((a + b + 1) >> 1));

    public static void Pavgw(Processor cpu, ref Instruction ins) => SseLanes.Binary<ushort>(cpu, ins, static (a, b) => (ushort)((a + b + 1) >> 1));

    /// <summary>PMADDWD: the two signed products of each pair summed (wrapping only for four -32768s).</summary>
    public static void Pmaddwd(Processor cpu, ref Instruction ins) =>
        SseLanes.Pairs<short, short, int>(cpu, ins, static (a0, b0, a1, b1) => (int)((uint)(a0 * b0) + (uint)(a1 * b1)));

    public static void Psadbw(Processor cpu, ref Instruction ins)
    {
        Vector128<byte> a = A(cpu, ins).AsByte(), b = B(cpu, ins).AsByte();
        ulong low = 0, high = 0;
        for (int i = 0; i < 8; i++)
        {
            low += (ulong)Math.Abs(a.GetElement(i) - b.GetElement(i));
            high += (ulong)Math.Abs(a.GetElement(i + 8) - b.GetElement(i + 8));
        }

        Set(cpu, ins, Vector128.Create(low, high));
    }

    public static void Packsswb(Processor cpu, ref Instruction ins) => SseLanes.Narrow<short, sbyte>(cpu, ins, static w => (sbyte)Math.Clamp((int)w, sbyte.MinValue, sbyte.MaxValue));

    public static void Packuswb(Processor cpu, ref Instruction ins) => SseLanes.Narrow<short, byte>(cpu, ins, static w => (byte)Math.Clamp((int)w, 0, byte.MaxValue));

    public static void Packssdw(Processor cpu, ref Instruction ins) => SseLanes.Narrow<int, short>(cpu, ins, static d => SaturateWord(d));

    public static void Pminsb(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Min(A(cpu, ins).AsSByte(), B(cpu, ins).AsSByte()).AsUInt64());

    public static void Pmaxsb(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Max(A(cpu, ins).AsSByte(), B(cpu, ins).AsSByte()).AsUInt64());

    public static void Pminuw(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Min(A(cpu, ins).AsUInt16(), B(cpu, ins).AsUInt16()).AsUInt64());

    public static void Pmaxuw(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Max(A(cpu, ins).AsUInt16(), B(cpu, ins).AsUInt16()).AsUInt64());

    public static void Pminsd(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Min(A(cpu, ins).AsInt32(), B(cpu, ins).AsInt32()).AsUInt64());

    public static void Pmaxsd(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Max(A(cpu, ins).AsInt32(), B(cpu, ins).AsInt32()).AsUInt64());

    public static void Pminud(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Min(A(cpu, ins).AsUInt32(), B(cpu, ins).AsUInt32()).AsUInt64());

    public static void Pmaxud(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Max(A(cpu, ins).AsUInt32(), B(cpu, ins).AsUInt32()).AsUInt64());

    public static void Pmulld(Processor cpu, ref Instruction ins) => Set(cpu, ins, (A(cpu, ins).AsInt32() * B(cpu, ins).AsInt32()).AsUInt64());

    /// <summary>PMULDQ: the signed 64-bit products of dwords 0 and 2.</summary>
    public static void Pmuldq(Processor cpu, ref Instruction ins)
    {
        Vector128<long> a = A(cpu, ins).AsInt64(), b = B(cpu, ins).AsInt64();
        Set(cpu, ins, Vector128.Create((long)(int)a.GetElement(0) * (int)b.GetElement(0), (long)(int)a.GetElement(1) * (int)b.GetElement(1)).AsUInt64());
    }

    public static void Pcmpeqq(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.Equals(A(cpu, ins), B(cpu, ins)));

    public static void Pcmpgtq(Processor cpu, ref Instruction ins) => Set(cpu, ins, Vector128.GreaterThan(A(cpu, ins).AsInt64(), B(cpu, ins).AsInt64()).AsUInt64());

    public static void Packusdw(Processor cpu, ref Instruction ins) => SseLanes.Narrow<int, ushort>(cpu, ins, static d => (ushort)Math.Clamp(d, 0, ushort.MaxValue));

    public static void Pabsb(Processor cpu, ref Instruction ins) => SseLanes.Unary<sbyte>(cpu, ins, static x => (sbyte)Math.Abs((int)x));

    public static void Pabsw(Processor cpu, ref Instruction ins) => SseLanes.Unary<short>(cpu, ins, static x => (short)Math.Abs((int)x));

    public static void Pabsd(Processor cpu, ref Instruction ins) => SseLanes.Unary<int>(cpu, ins, static x => (int)Math.Abs((long)x));

    /// <summary>PSIGNB/W/D: the destination element negated, zeroed or kept as the source element is negative, zero or positive.</summary>
    public static void Psignb(Processor cpu, ref Instruction ins) => SseLanes.Binary<sbyte>(cpu, ins, static (a, b) => (sbyte)(b < 0 ? -a : b == 0 ? 0 : a));

    public static void Psignw(Processor cpu, ref Instruction ins) => SseLanes.Binary<short>(cpu, ins, static (a, b) => (short)(b < 0 ? -a : b == 0 ? 0 : a));

    public static void Psignd(Processor cpu, ref Instruction ins) => SseLanes.Binary<int>(cpu, ins, static (a, b) => b < 0 ? -a : b == 0 ? 0 : a);

    /// <summary>PMULHRSW: the signed product scaled by 2^-15 and rounded (bits 30:15 of the product plus 2^14).</summary>
    public static void Pmulhrsw(Processor cpu, ref Instruction ins) => SseLanes.Binary<short>(cpu, ins, static (a, b) => (short)((((a * b) >> 14) + 1) >> 1));

    /// <summary>PMADDUBSW: unsigned destination bytes times signed source bytes, adjacent products summed with signed saturation.</summary>
    public static void Pmaddubsw(Processor cpu, ref Instruction ins) =>
        SseLanes.Pairs<byte, sbyte, short>(cpu, ins, static (a0, b0, a1, b1) => SaturateWord((a0 * b0) + (a1 * b1)));

    /// <summary>PTEST: ZF when the destination AND the source is zero, CF when the source AND NOT the destination is; AF, OF, PF, SF cleared.</summary>
    public static void Ptest(Processor cpu, ref Instruction ins)
    {
        Vector128<ulong> a = A(cpu, ins), b = B(cpu, ins);
        ulong flags = ((a & b) == Vector128<ulong>.Zero ? Rflag.ZF : 0) | ((b & ~a) == Vector128<ulong>.Zero ? Rflag.CF : 0);
        cpu.State.SetFlags(Rflag.Arithmetic, flags);
    }

    /// <summary>A signed value saturated to a signed word.</summary>
    public static short SaturateWord(int value) => (short)Math.Clamp(value, short.MinValue, short.MaxValue);

    private static Vector128<ulong> A(Processor cpu, in Instruction ins) => SseMoves.Destination(cpu, ins);

    private static Vector128<ulong> B(Processor cpu, in Instruction ins) => SseMoves.Source(cpu, ins);

    private static void Set(Processor cpu, in Instruction ins, Vector128<ulong> value) => SseMoves.SetDestination(cpu, ins, value);
}
