using System.Runtime.Intrinsics;
using Cpu.Semantics.Float;
using Cpu.State;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// The legacy-encoded SSE and SSE2 instructions on XMM registers: data movement, logic, floating-point
/// arithmetic, comparisons, conversions and shuffles here; packed integer operations in
/// <see cref="SseIntegerInstructions"/>, conversions in <see cref="SseConversions"/>, shuffles in
/// <see cref="SseShuffles"/>. MMX (MM register) forms and VEX forms are not declared (#UD).
/// </summary>
public static class SseInstructions
{
    /// <summary>Data movement, logic, floating-point arithmetic and comparisons (the forms Cpu/Instructions/SseInstructionForms declares).</summary>
    public static void Execute(Processor cpu, ref Instruction ins)
    {
        ExtendedState.RequireSse(cpu);
        if (!Move(cpu, ins) && !Arithmetic(cpu, ins))
        {
            Undefined.Execute(cpu, ref ins);
        }
    }

    private static bool Move(Processor cpu, in Instruction ins)
    {
        CpuState s = cpu.State;
        switch (ins.Mnemonic)
        {
            case Mnemonic.Movaps:
            case Mnemonic.Movapd:
            case Mnemonic.Movdqa:
            case Mnemonic.Movntps:
            case Mnemonic.Movntpd:
            case Mnemonic.Movntdq:
                SseOperands.Write128(cpu, ins, 0, SseOperands.Read128(cpu, ins, 1));
                return true;
            case Mnemonic.Movups:
            case Mnemonic.Movupd:
            case Mnemonic.Movdqu:
            case Mnemonic.Lddqu:
                SseOperands.Write128(cpu, ins, 0, SseOperands.Read128(cpu, ins, 1, aligned: false), aligned: false);
                return true;
            case Mnemonic.Movss:
            case Mnemonic.Movsd:
                MoveScalar(cpu, ins, ins.Mnemonic == Mnemonic.Movss ? 4 : 8);
                return true;
            case Mnemonic.Movd:
            case Mnemonic.Movq:
                {
                    bool toXmm = ins.Op0Kind == OpKind.Register && SseOperands.IsXmm(ins.Op0Register);
                    int other = toXmm ? 1 : 0;
                    int size = ins.GetOpKind(other) == OpKind.Memory ? Operands.MemorySizeBytes(ins.MemorySize)
                        : SseOperands.IsXmm(ins.GetOpRegister(other)) ? 8 : Operands.RegisterSize(ins.GetOpRegister(other));
                    ulong value = SseOperands.ReadScalar(cpu, ins, 1, size);
                    if (toXmm)
                    {
                        SseOperands.SetXmm(s, ins.Op0Register, Vector128.Create(value, 0UL));
                    }
                    else
                    {
                        Operands.WriteOperand(cpu, ins, 0, value);
                    }

                    return true;
                }

            case Mnemonic.Movlps:
            case Mnemonic.Movlpd:
            case Mnemonic.Movhps:
            case Mnemonic.Movhpd:
                {
                    int element = ins.Mnemonic is Mnemonic.Movhps or Mnemonic.Movhpd ? 1 : 0;
                    if (ins.Op0Kind == OpKind.Memory)
                    {
                        Operands.WriteMemory(cpu, Operands.EffectiveAddress(cpu, ins), 8, SseOperands.Xmm(s, ins.Op1Register).GetElement(element));
                    }
                    else
                    {
                        ulong value = Operands.ReadMemory(cpu, Operands.EffectiveAddress(cpu, ins), 8);
                        SseOperands.SetXmm(s, ins.Op0Register, SseOperands.Xmm(s, ins.Op0Register).WithElement(element, value));
                    }

                    return true;
                }

            case Mnemonic.Movhlps:
                SseOperands.SetXmm(s, ins.Op0Register, SseOperands.Xmm(s, ins.Op0Register).WithElement(0, SseOperands.Xmm(s, ins.Op1Register).GetElement(1)));
                return true;
            case Mnemonic.Movlhps:
                SseOperands.SetXmm(s, ins.Op0Register, SseOperands.Xmm(s, ins.Op0Register).WithElement(1, SseOperands.Xmm(s, ins.Op1Register).GetElement(0)));
                return true;
            case Mnemonic.Movmskps:
                Operands.WriteRegister(s, ins.Op0Register, SseOperands.Xmm(s, ins.Op1Register).AsUInt32().ExtractMostSignificantBits());
                return true;
            case Mnemonic.Movmskpd:
                Operands.WriteRegister(s, ins.Op0Register, SseOperands.Xmm(s, ins.Op1Register).ExtractMostSignificantBits());
                return true;
            case Mnemonic.Andps:
            case Mnemonic.Andpd:
            case Mnemonic.Pand:
                Logic(cpu, ins, static (a, b) => a & b);
                return true;
            case Mnemonic.Andnps:
            case Mnemonic.Andnpd:
            case Mnemonic.Pandn:
                Logic(cpu, ins, static (a, b) => ~a & b);
                return true;
            case Mnemonic.Orps:
            case Mnemonic.Orpd:
            case Mnemonic.Por:
                Logic(cpu, ins, static (a, b) => a | b);
                return true;
            case Mnemonic.Xorps:
            case Mnemonic.Xorpd:
            case Mnemonic.Pxor:
                Logic(cpu, ins, static (a, b) => a ^ b);
                return true;
            default:
                return false;
        }
    }

    /// <summary>MOVSS/MOVSD: register to register merges the low part; a load zeroes the rest; a store writes the low part.</summary>
    private static void MoveScalar(Processor cpu, in Instruction ins, int size)
    {
        CpuState s = cpu.State;
        if (ins.Op0Kind == OpKind.Memory)
        {
            Operands.WriteMemory(cpu, Operands.EffectiveAddress(cpu, ins), size, SseOperands.Xmm(s, ins.Op1Register).GetElement(0));
            return;
        }

        ulong value = SseOperands.ReadScalar(cpu, ins, 1, size);
        Vector128<ulong> destination = ins.Op1Kind == OpKind.Memory ? Vector128<ulong>.Zero : SseOperands.Xmm(s, ins.Op0Register);
        SseOperands.SetXmm(s, ins.Op0Register, SseOperands.Merge(destination, size, value));
    }

    private static void Logic(Processor cpu, in Instruction ins, Func<Vector128<ulong>, Vector128<ulong>, Vector128<ulong>> op)
    {
        CpuState s = cpu.State;
        SseOperands.SetXmm(s, ins.Op0Register, op(SseOperands.Xmm(s, ins.Op0Register), SseOperands.Read128(cpu, ins, 1)));
    }

    private static bool Arithmetic(Processor cpu, in Instruction ins)
    {
        (SseFloatOp op, int shape, bool compare) = ins.Mnemonic switch
        {
            Mnemonic.Addss => (SseFloatOp.Add, 4, false),
            Mnemonic.Addsd => (SseFloatOp.Add, 8, false),
            Mnemonic.Addps => (SseFloatOp.Add, 16, false),
            Mnemonic.Addpd => (SseFloatOp.Add, 32, false),
            Mnemonic.Subss => (SseFloatOp.Subtract, 4, false),
            Mnemonic.Subsd => (SseFloatOp.Subtract, 8, false),
            Mnemonic.Subps => (SseFloatOp.Subtract, 16, false),
            Mnemonic.Subpd => (SseFloatOp.Subtract, 32, false),
            Mnemonic.Mulss => (SseFloatOp.Multiply, 4, false),
            Mnemonic.Mulsd => (SseFloatOp.Multiply, 8, false),
            Mnemonic.Mulps => (SseFloatOp.Multiply, 16, false),
            Mnemonic.Mulpd => (SseFloatOp.Multiply, 32, false),
            Mnemonic.Divss => (SseFloatOp.Divide, 4, false),
            Mnemonic.Divsd => (SseFloatOp.Divide, 8, false),
            Mnemonic.Divps => (SseFloatOp.Divide, 16, false),
            Mnemonic.Divpd => (SseFloatOp.Divide, 32, false),
            Mnemonic.Minss => (SseFloatOp.Min, 4, false),
            Mnemonic.Minsd => (SseFloatOp.Min, 8, false),
            Mnemonic.Minps => (SseFloatOp.Min, 16, false),
            Mnemonic.Minpd => (SseFloatOp.Min, 32, false),
            Mnemonic.Maxss => (SseFloatOp.Max, 4, false),
            Mnemonic.Maxsd => (SseFloatOp.Max, 8, false),
            Mnemonic.Maxps => (SseFloatOp.Max, 16, false),
            Mnemonic.Maxpd => (SseFloatOp.Max, 32, false),
            Mnemonic.Sqrtss => (SseFloatOp.SquareRoot, 4, false),
            Mnemonic.Sqrtsd => (SseFloatOp.SquareRoot, 8, false),
            Mnemonic.Sqrtps => (SseFloatOp.SquareRoot, 16, false),
            Mnemonic.Sqrtpd => (SseFloatOp.SquareRoot, 32, false),
            Mnemonic.Cmpss => (SseFloatOp.Add, 4, true),
            Mnemonic.Cmpsd => (SseFloatOp.Add, 8, true),
            Mnemonic.Cmpps => (SseFloatOp.Add, 16, true),
            Mnemonic.Cmppd => (SseFloatOp.Add, 32, true),
            _ => (SseFloatOp.Add, 0, false),
        };
        if (shape != 0)
        {
            FloatOperation(cpu, ins, shape, op, compare ? ins.Immediate8 : -1);
            return true;
        }

        switch (ins.Mnemonic)
        {
            case Mnemonic.Comiss:
            case Mnemonic.Ucomiss:
            case Mnemonic.Comisd:
            case Mnemonic.Ucomisd:
                {
                    bool isDouble = ins.Mnemonic is Mnemonic.Comisd or Mnemonic.Ucomisd;
                    int size = isDouble ? 8 : 4;
                    FloatContext ctx = FloatContext.FromMxcsr(cpu.State.Mxcsr);
                    ulong a = cpu.State.Xmm[SseOperands.XmmIndex(ins.Op0Register)].GetElement(0) & Operands.SizeMask(size);
                    ulong b = SseOperands.ReadScalar(cpu, ins, 1, size);
                    ulong flags = SseFloat.CompareToFlags(a, b, SseFloat.Format(isDouble), ins.Mnemonic is Mnemonic.Comiss or Mnemonic.Comisd, ref ctx);
                    SseOperands.RaiseFlags(cpu, ctx.Flags);
                    cpu.State.SetFlags(Rflag.Arithmetic, flags);
                    return true;
                }

            default:
                return false;
        }
    }

    /// <summary>
    /// A floating-point operation writing the destination XMM register: <paramref name="shape"/> is 4 or 8
    /// for a scalar single or double (memory source of that size), 16 or 32 for packed singles or doubles;
    /// a <paramref name="predicate"/> of 0-7 makes it a CMPxx comparison instead of <paramref name="op"/>.
    /// </summary>
    private static void FloatOperation(Processor cpu, in Instruction ins, int shape, SseFloatOp op, int predicate)
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
}
