using System.Runtime.Intrinsics;
using Cpu.Semantics.Float;
using Cpu.Semantics.Sse;
using Iced.Intel;

namespace Cpu.Semantics.Mmx;

/// <summary>
/// The SSE/SSE2 conversions between packed doubleword integers in an MMX register (or m64) and packed
/// singles or doubles in an XMM register (or memory): Intel SDM Vol. 2, CVTPI2PS, CVTPI2PD, CVTPS2PI,
/// CVTTPS2PI, CVTPD2PI, CVTTPD2PI. Rounded by MXCSR.RC or truncated, MXCSR flags and #XM as the XMM forms.
/// </summary>
public static class MmxConversions
{
    /// <summary>CVTPI2PS: two singles into the low quadword; the high quadword is kept.</summary>
    public static void Cvtpi2ps(Processor cpu, ref Instruction ins)
    {
        FloatContext ctx = FloatContext.FromMxcsr(cpu.State.Mxcsr);
        ulong source = MmxRegisters.ReadOperand(cpu, ins, 1);
        ulong low = SseFloat.FromIntegerLane((int)source, FloatFormat.Single, ref ctx);
        ulong high = SseFloat.FromIntegerLane((int)(source >> 32), FloatFormat.Single, ref ctx);
        SseOperands.RaiseFlags(cpu, ctx.Flags);
        SseOperands.SetXmm(cpu.State, ins.Op0Register, SseMoves.Destination(cpu, ins).WithElement(0, low | (high << 32)));
        SseMoves.EnterMmxIfUsed(cpu.State, ins);
    }

    /// <summary>CVTPI2PD: two doubles (always exact).</summary>
    public static void Cvtpi2pd(Processor cpu, ref Instruction ins)
    {
        FloatContext ctx = FloatContext.FromMxcsr(cpu.State.Mxcsr);
        ulong source = MmxRegisters.ReadOperand(cpu, ins, 1);
        ulong low = SseFloat.FromIntegerLane((int)source, FloatFormat.Double, ref ctx);
        ulong high = SseFloat.FromIntegerLane((int)(source >> 32), FloatFormat.Double, ref ctx);
        SseOperands.SetXmm(cpu.State, ins.Op0Register, Vector128.Create(low, high));
        SseMoves.EnterMmxIfUsed(cpu.State, ins);
    }

    public static void Cvtps2pi(Processor cpu, ref Instruction ins) => SinglesToIntegers(cpu, ins, truncate: false);

    public static void Cvttps2pi(Processor cpu, ref Instruction ins) => SinglesToIntegers(cpu, ins, truncate: true);

    public static void Cvtpd2pi(Processor cpu, ref Instruction ins) => DoublesToIntegers(cpu, ins, truncate: false);

    public static void Cvttpd2pi(Processor cpu, ref Instruction ins) => DoublesToIntegers(cpu, ins, truncate: true);

    /// <summary>The two singles of the low quadword (XMM or m64) to doublewords; the integer indefinite for NaNs and out-of-range values.</summary>
    private static void SinglesToIntegers(Processor cpu, in Instruction ins, bool truncate)
    {
        FloatContext ctx = FloatContext.FromMxcsr(cpu.State.Mxcsr);
        ulong source = MmxRegisters.ReadOperand(cpu, ins, 1);
        ulong low = SseFloat.ToIntegerLane((uint)source, FloatFormat.Single, 32, truncate, ref ctx);
        ulong high = SseFloat.ToIntegerLane(source >> 32, FloatFormat.Single, 32, truncate, ref ctx);
        SseOperands.RaiseFlags(cpu, ctx.Flags);
        MmxRegisters.Write(cpu.State, ins.Op0Register, (uint)low | (high << 32));
    }

    /// <summary>The two doubles of XMM or m128 (aligned: the guard checks) to doublewords.</summary>
    private static void DoublesToIntegers(Processor cpu, in Instruction ins, bool truncate)
    {
        FloatContext ctx = FloatContext.FromMxcsr(cpu.State.Mxcsr);
        Vector128<ulong> source = SseOperands.Read128(cpu, ins, 1);
        ulong low = SseFloat.ToIntegerLane(source.GetElement(0), FloatFormat.Double, 32, truncate, ref ctx);
        ulong high = SseFloat.ToIntegerLane(source.GetElement(1), FloatFormat.Double, 32, truncate, ref ctx);
        SseOperands.RaiseFlags(cpu, ctx.Flags);
        MmxRegisters.Write(cpu.State, ins.Op0Register, (uint)low | (high << 32));
    }
}
