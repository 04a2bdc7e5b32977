using System.Runtime.Intrinsics;
using Cpu.Semantics.Float;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// The SSE/SSE2 conversions between singles, doubles and signed integers (Intel SDM Vol. 2, CVTxx2xx):
/// rounded by MXCSR.RC or truncated (the CVTT forms), with invalid and the integer indefinite for NaNs
/// and out-of-range values.
/// </summary>
public static class SseConversions
{
    private static readonly FloatFormat Single = FloatFormat.Single;
    private static readonly FloatFormat Double = FloatFormat.Double;

    public static void Cvtsi2ss(Processor cpu, ref Instruction ins) => FromInteger(cpu, ins, toDouble: false);

    public static void Cvtsi2sd(Processor cpu, ref Instruction ins) => FromInteger(cpu, ins, toDouble: true);

    public static void Cvtss2si(Processor cpu, ref Instruction ins) => ToInteger(cpu, ins, fromDouble: false, truncate: false);

    public static void Cvttss2si(Processor cpu, ref Instruction ins) => ToInteger(cpu, ins, fromDouble: false, truncate: true);

    public static void Cvtsd2si(Processor cpu, ref Instruction ins) => ToInteger(cpu, ins, fromDouble: true, truncate: false);

    public static void Cvttsd2si(Processor cpu, ref Instruction ins) => ToInteger(cpu, ins, fromDouble: true, truncate: true);

    public static void Cvtss2sd(Processor cpu, ref Instruction ins)
    {
        FloatContext ctx = Context(cpu);
        Complete(cpu, ins, SseOperands.Merge(SseMoves.Destination(cpu, ins), 8, SseFloat.ConvertLane(SseOperands.ReadScalar(cpu, ins, 1, 4), Single, Double, ref ctx)), ctx);
    }

    public static void Cvtsd2ss(Processor cpu, ref Instruction ins)
    {
        FloatContext ctx = Context(cpu);
        Complete(cpu, ins, SseOperands.Merge(SseMoves.Destination(cpu, ins), 4, SseFloat.ConvertLane(SseOperands.ReadScalar(cpu, ins, 1, 8), Double, Single, ref ctx)), ctx);
    }

    public static void Cvtdq2ps(Processor cpu, ref Instruction ins)
    {
        FloatContext ctx = Context(cpu);
        Vector128<int> v = SseMoves.Source(cpu, ins).AsInt32();
        Vector128<ulong> result = Vector128.Create(
            (uint)SseFloat.FromIntegerLane(v.GetElement(0), Single, ref ctx), (uint)SseFloat.FromIntegerLane(v.GetElement(1), Single, ref ctx),
            (uint)SseFloat.FromIntegerLane(v.GetElement(2), Single, ref ctx), (uint)SseFloat.FromIntegerLane(v.GetElement(3), Single, ref ctx)).AsUInt64();
        Complete(cpu, ins, result, ctx);
    }

    public static void Cvtps2dq(Processor cpu, ref Instruction ins) => PackedSingleToInteger(cpu, ins, truncate: false);

    public static void Cvttps2dq(Processor cpu, ref Instruction ins) => PackedSingleToInteger(cpu, ins, truncate: true);

    public static void Cvtdq2pd(Processor cpu, ref Instruction ins)
    {
        FloatContext ctx = Context(cpu);
        ulong low = SseOperands.ReadScalar(cpu, ins, 1, 8);
        Complete(cpu, ins, Vector128.Create(SseFloat.FromIntegerLane((int)low, Double, ref ctx), SseFloat.FromIntegerLane((int)(low >> 32), Double, ref ctx)), ctx);
    }

    public static void Cvtpd2dq(Processor cpu, ref Instruction ins) => PackedDoubleToInteger(cpu, ins, truncate: false);

    public static void Cvttpd2dq(Processor cpu, ref Instruction ins) => PackedDoubleToInteger(cpu, ins, truncate: true);

    public static void Cvtps2pd(Processor cpu, ref Instruction ins)
    {
        FloatContext ctx = Context(cpu);
        ulong low = SseOperands.ReadScalar(cpu, ins, 1, 8);
        Complete(cpu, ins, Vector128.Create(SseFloat.ConvertLane((uint)low, Single, Double, ref ctx), SseFloat.ConvertLane(low >> 32, Single, Double, ref ctx)), ctx);
    }

    public static void Cvtpd2ps(Processor cpu, ref Instruction ins)
    {
        FloatContext ctx = Context(cpu);
        Vector128<ulong> v = SseMoves.Source(cpu, ins);
        ulong low = SseFloat.ConvertLane(v.GetElement(0), Double, Single, ref ctx);
        ulong high = SseFloat.ConvertLane(v.GetElement(1), Double, Single, ref ctx);
        Complete(cpu, ins, Vector128.Create(low | (high << 32), 0UL), ctx);
    }

    private static FloatContext Context(Processor cpu) => FloatContext.FromMxcsr(cpu.State.Mxcsr);

    /// <summary>Applies the raised flags (faulting before any write when one is unmasked), then writes the destination.</summary>
    private static void Complete(Processor cpu, in Instruction ins, Vector128<ulong> result, in FloatContext ctx)
    {
        SseOperands.RaiseFlags(cpu, ctx.Flags);
        SseMoves.SetDestination(cpu, ins, result);
    }

    private static void FromInteger(Processor cpu, in Instruction ins, bool toDouble)
    {
        FloatContext ctx = Context(cpu);
        int size = ins.Op1Kind == OpKind.Memory ? Operands.MemorySizeBytes(ins.MemorySize) : Operands.RegisterSize(ins.Op1Register);
        long value = Operands.SignExtend(SseOperands.ReadScalar(cpu, ins, 1, size), size);
        ulong lane = SseFloat.FromIntegerLane(value, toDouble ? Double : Single, ref ctx);
        Complete(cpu, ins, SseOperands.Merge(SseMoves.Destination(cpu, ins), toDouble ? 8 : 4, lane), ctx);
    }

    private static void ToInteger(Processor cpu, in Instruction ins, bool fromDouble, bool truncate)
    {
        FloatContext ctx = Context(cpu);
        ulong source = SseOperands.ReadScalar(cpu, ins, 1, fromDouble ? 8 : 4);
        int bits = Operands.RegisterSize(ins.Op0Register) * 8;
        ulong value = SseFloat.ToIntegerLane(source, fromDouble ? Double : Single, bits, truncate, ref ctx);
        SseOperands.RaiseFlags(cpu, ctx.Flags);
        Operands.WriteRegister(cpu.State, ins.Op0Register, value);
    }

    private static void PackedSingleToInteger(Processor cpu, in Instruction ins, bool truncate)
    {
        FloatContext ctx = Context(cpu);
        Vector128<uint> v = SseMoves.Source(cpu, ins).AsUInt32();
        Vector128<ulong> result = Vector128.Create(
            (uint)SseFloat.ToIntegerLane(v.GetElement(0), Single, 32, truncate, ref ctx), (uint)SseFloat.ToIntegerLane(v.GetElement(1), Single, 32, truncate, ref ctx),
            (uint)SseFloat.ToIntegerLane(v.GetElement(2), Single, 32, truncate, ref ctx), (uint)SseFloat.ToIntegerLane(v.GetElement(3), Single, 32, truncate, ref ctx)).AsUInt64();
        Complete(cpu, ins, result, ctx);
    }

    private static void PackedDoubleToInteger(Processor cpu, in Instruction ins, bool truncate)
    {
        FloatContext ctx = Context(cpu);
        Vector128<ulong> v = SseMoves.Source(cpu, ins);
        ulong low = SseFloat.ToIntegerLane(v.GetElement(0), Double, 32, truncate, ref ctx);
        ulong high = SseFloat.ToIntegerLane(v.GetElement(1), Double, 32, truncate, ref ctx);
        Complete(cpu, ins, Vector128.Create(low | (high << 32), 0UL), ctx);
    }
}
