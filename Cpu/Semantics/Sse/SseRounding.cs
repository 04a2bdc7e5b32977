using System.Runtime.Intrinsics;
using Cpu.Semantics.Float;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// SSE4.1 ROUNDPS/PD/SS/SD (Intel SDM Vol. 2): each lane rounded to an integral value in its own format,
/// by the mode in imm8[1:0] or MXCSR.RC when imm8[2] is set; imm8[3] suppresses the precision exception.
/// Only invalid (SNaN) and precision are signalled, not denormal; DAZ applies to the operands.
/// </summary>
public static class SseRounding
{
    public static void Roundss(Processor cpu, ref Instruction ins) => Round(cpu, ins, 4);

    public static void Roundsd(Processor cpu, ref Instruction ins) => Round(cpu, ins, 8);

    public static void Roundps(Processor cpu, ref Instruction ins) => Round(cpu, ins, 16);

    public static void Roundpd(Processor cpu, ref Instruction ins) => Round(cpu, ins, 32);

    /// <summary><paramref name="shape"/>: 4 or 8 for a scalar single or double, 16 or 32 for packed singles or doubles.</summary>
    private static void Round(Processor cpu, in Instruction ins, int shape)
    {
        bool isDouble = shape is 8 or 32;
        FloatFormat f = SseFloat.Format(isDouble);
        int imm = ins.Immediate8;
        FloatContext ctx = FloatContext.FromMxcsr(cpu.State.Mxcsr);
        if ((imm & 4) == 0)
        {
            ctx.Rounding = (RoundingMode)(imm & 3);
        }

        Vector128<ulong> b = shape >= 16 ? SseMoves.Source(cpu, ins) : Vector128.Create(SseOperands.ReadScalar(cpu, ins, 1, shape), 0UL);
        Vector128<ulong> result;
        if (isDouble)
        {
            result = Vector128.Create(Lane(b.GetElement(0), f, ref ctx), shape == 8 ? 0 : Lane(b.GetElement(1), f, ref ctx));
        }
        else
        {
            Vector128<uint> v = b.AsUInt32();
            result = shape == 4
                ? Vector128.Create(Lane(v.GetElement(0), f, ref ctx), 0UL)
                : Vector128.Create((uint)Lane(v.GetElement(0), f, ref ctx), (uint)Lane(v.GetElement(1), f, ref ctx),
                    (uint)Lane(v.GetElement(2), f, ref ctx), (uint)Lane(v.GetElement(3), f, ref ctx)).AsUInt64();
        }

        uint flags = ctx.Flags & ~FloatFlags.Denormal;
        if ((imm & 8) != 0)
        {
            flags &= ~FloatFlags.Precision;
        }

        SseOperands.RaiseFlags(cpu, flags);
        SseMoves.SetDestination(cpu, ins, shape >= 16 ? result : SseOperands.Merge(SseMoves.Destination(cpu, ins), shape, result.GetElement(0)));
    }

    private static ulong Lane(ulong bits, FloatFormat f, ref FloatContext ctx) =>
        SoftFloat.Pack(SoftFloat.RoundToIntegral(SoftFloat.Unpack(bits, f, ref ctx), ref ctx), f);
}
