using System.Runtime.Intrinsics;
using Cpu.Semantics.Float;
using Cpu.State;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// SSE/SSE2 floating-point arithmetic, MIN/MAX, square roots and comparisons on XMM registers, scalar
/// (SS/SD: the low lane, the rest of the destination kept) and packed (PS/PD), under MXCSR through
/// <see cref="SseFloat"/> (Intel SDM Vol. 2, each instruction's page; Vol. 1, 11.5 for the exceptions).
/// </summary>
public static class SseArithmetic
{
    public static void Addss(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 4, SseFloatOp.Add, -1);
    public static void Addsd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 8, SseFloatOp.Add, -1);
    public static void Addps(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 16, SseFloatOp.Add, -1);
    public static void Addpd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 32, SseFloatOp.Add, -1);

    public static void Subss(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 4, SseFloatOp.Subtract, -1);
    public static void Subsd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 8, SseFloatOp.Subtract, -1);
    public static void Subps(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 16, SseFloatOp.Subtract, -1);
    public static void Subpd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 32, SseFloatOp.Subtract, -1);

    public static void Mulss(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 4, SseFloatOp.Multiply, -1);
    public static void Mulsd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 8, SseFloatOp.Multiply, -1);
    public static void Mulps(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 16, SseFloatOp.Multiply, -1);
    public static void Mulpd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 32, SseFloatOp.Multiply, -1);

    public static void Divss(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 4, SseFloatOp.Divide, -1);
    public static void Divsd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 8, SseFloatOp.Divide, -1);
    public static void Divps(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 16, SseFloatOp.Divide, -1);
    public static void Divpd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 32, SseFloatOp.Divide, -1);

    public static void Minss(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 4, SseFloatOp.Min, -1);
    public static void Minsd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 8, SseFloatOp.Min, -1);
    public static void Minps(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 16, SseFloatOp.Min, -1);
    public static void Minpd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 32, SseFloatOp.Min, -1);

    public static void Maxss(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 4, SseFloatOp.Max, -1);
    public static void Maxsd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 8, SseFloatOp.Max, -1);
    public static void Maxps(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 16, SseFloatOp.Max, -1);
    public static void Maxpd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 32, SseFloatOp.Max, -1);

    public static void Sqrtss(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 4, SseFloatOp.SquareRoot, -1);
    public static void Sqrtsd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 8, SseFloatOp.SquareRoot, -1);
    public static void Sqrtps(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 16, SseFloatOp.SquareRoot, -1);
    public static void Sqrtpd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 32, SseFloatOp.SquareRoot, -1);

    /// <summary>CMPSS with the imm8 predicate 0-7.</summary>
    public static void Cmpss(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 4, SseFloatOp.Add, ins.Immediate8 & 7);

    /// <summary>CMPSD with the imm8 predicate 0-7.</summary>
    public static void Cmpsd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 8, SseFloatOp.Add, ins.Immediate8 & 7);

    /// <summary>CMPPS with the imm8 predicate 0-7.</summary>
    public static void Cmpps(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 16, SseFloatOp.Add, ins.Immediate8 & 7);

    /// <summary>CMPPD with the imm8 predicate 0-7.</summary>
    public static void Cmppd(Processor cpu, ref Instruction ins) => FloatOperation(cpu, ins, 32, SseFloatOp.Add, ins.Immediate8 & 7);

    public static void Comiss(Processor cpu, ref Instruction ins) => CompareToFlags(cpu, ins, isDouble: false, signalOnQuietNaN: true);

    public static void Ucomiss(Processor cpu, ref Instruction ins) => CompareToFlags(cpu, ins, isDouble: false, signalOnQuietNaN: false);

    public static void Comisd(Processor cpu, ref Instruction ins) => CompareToFlags(cpu, ins, isDouble: true, signalOnQuietNaN: true);

    public static void Ucomisd(Processor cpu, ref Instruction ins) => CompareToFlags(cpu, ins, isDouble: true, signalOnQuietNaN: false);

    /// <summary>
    /// A floating-point operation writing the destination XMM register: <paramref name="shape"/> is 4 or 8
    /// for a scalar single or double (memory source of that size), 16 or 32 for packed singles or doubles;
    /// a <paramref name="predicate"/> of 0-7 makes it a CMPxx comparison instead of <paramref name="op"/>.
    /// </summary>
    public static void FloatOperation(Processor cpu, in Instruction ins, int shape, SseFloatOp op, int predicate)
    {
        CpuState s = cpu.State;
        bool isDouble = shape is 8 or 32;
        Vector128<ulong> b = shape >= 16 ? SseOperands.Read128(cpu, ins, 1) : Vector128.Create(SseOperands.ReadScalar(cpu, ins, 1, shape), 0UL);
        Vector128<ulong> a = SseOperands.Xmm(s, ins.Op0Register);
        FloatContext ctx = FloatContext.FromMxcsr(s.Mxcsr);
        Vector128<ulong> result = shape >= 16
            ? SseFloat.Packed(op, predicate, a, b, isDouble, ref ctx)
            : SseOperands.Merge(a, shape, SseFloat.LaneOrCompare(op, predicate, a.GetElement(0), b.GetElement(0), SseFloat.Format(isDouble), ref ctx));
        SseOperands.RaiseFlags(cpu, ctx.Flags);
        SseOperands.SetXmm(s, ins.Op0Register, result);
    }

    /// <summary>COMISS/UCOMISS/COMISD/UCOMISD: ZF, PF, CF from the order of the low lanes.</summary>
    private static void CompareToFlags(Processor cpu, in Instruction ins, bool isDouble, bool signalOnQuietNaN)
    {
        int size = isDouble ? 8 : 4;
        FloatContext ctx = FloatContext.FromMxcsr(cpu.State.Mxcsr);
        ulong a = SseOperands.Xmm(cpu.State, ins.Op0Register).GetElement(0) & Operands.SizeMask(size);
        ulong b = SseOperands.ReadScalar(cpu, ins, 1, size);
        ulong flags = SseFloat.CompareToFlags(a, b, SseFloat.Format(isDouble), signalOnQuietNaN, ref ctx);
        SseOperands.RaiseFlags(cpu, ctx.Flags);
        cpu.State.SetFlags(Rflag.Arithmetic, flags);
    }
}
