using System.Runtime.Intrinsics;
using Cpu.Semantics.Float;
using Cpu.State;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// The SSE/SSE2 conversions between singles, doubles and signed integers (Intel SDM Vol. 2, CVTxx2xx):
/// rounded by MXCSR.RC or truncated (the CVTT forms), with invalid and the integer indefinite for NaNs
/// and out-of-range values.
/// </summary>
public static class SseConversions
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
        FloatContext ctx = FloatContext.FromMxcsr(s.Mxcsr);
        FloatFormat single = FloatFormat.Single, dbl = FloatFormat.Double;
        Vector128<ulong> result;
        switch (ins.Mnemonic)
        {
            case Mnemonic.Cvtsi2ss:
            case Mnemonic.Cvtsi2sd:
                {
                    int size = ins.Op1Kind == OpKind.Memory ? Operands.MemorySizeBytes(ins.MemorySize) : Operands.RegisterSize(ins.Op1Register);
                    long value = Operands.SignExtend(SseOperands.ReadScalar(cpu, ins, 1, size), size);
                    bool toDouble = ins.Mnemonic == Mnemonic.Cvtsi2sd;
                    ulong lane = SseFloat.FromIntegerLane(value, toDouble ? dbl : single, ref ctx);
                    result = SseOperands.Merge(SseOperands.Xmm(s, ins.Op0Register), toDouble ? 8 : 4, lane);
                    break;
                }

            case Mnemonic.Cvtss2si:
            case Mnemonic.Cvttss2si:
            case Mnemonic.Cvtsd2si:
            case Mnemonic.Cvttsd2si:
                {
                    bool fromDouble = ins.Mnemonic is Mnemonic.Cvtsd2si or Mnemonic.Cvttsd2si;
                    bool truncate = ins.Mnemonic is Mnemonic.Cvttss2si or Mnemonic.Cvttsd2si;
                    ulong source = SseOperands.ReadScalar(cpu, ins, 1, fromDouble ? 8 : 4);
                    int bits = Operands.RegisterSize(ins.Op0Register) * 8;
                    ulong value = SseFloat.ToIntegerLane(source, fromDouble ? dbl : single, bits, truncate, ref ctx);
                    SseOperands.RaiseFlags(cpu, ctx.Flags);
                    Operands.WriteRegister(s, ins.Op0Register, value);
                    return true;
                }

            case Mnemonic.Cvtss2sd:
                result = SseOperands.Merge(SseOperands.Xmm(s, ins.Op0Register), 8, SseFloat.ConvertLane(SseOperands.ReadScalar(cpu, ins, 1, 4), single, dbl, ref ctx));
                break;
            case Mnemonic.Cvtsd2ss:
                result = SseOperands.Merge(SseOperands.Xmm(s, ins.Op0Register), 4, SseFloat.ConvertLane(SseOperands.ReadScalar(cpu, ins, 1, 8), dbl, single, ref ctx));
                break;
            case Mnemonic.Cvtdq2ps:
                {
                    Vector128<int> v = SseOperands.Read128(cpu, ins, 1).AsInt32();
                    result = Vector128.Create(
                        (uint)SseFloat.FromIntegerLane(v.GetElement(0), single, ref ctx), (uint)SseFloat.FromIntegerLane(v.GetElement(1), single, ref ctx),
                        (uint)SseFloat.FromIntegerLane(v.GetElement(2), single, ref ctx), (uint)SseFloat.FromIntegerLane(v.GetElement(3), single, ref ctx)).AsUInt64();
                    break;
                }

            case Mnemonic.Cvtps2dq:
            case Mnemonic.Cvttps2dq:
                {
                    bool truncate = ins.Mnemonic == Mnemonic.Cvttps2dq;
                    Vector128<uint> v = SseOperands.Read128(cpu, ins, 1).AsUInt32();
                    result = Vector128.Create(
                        (uint)SseFloat.ToIntegerLane(v.GetElement(0), single, 32, truncate, ref ctx), (uint)SseFloat.ToIntegerLane(v.GetElement(1), single, 32, truncate, ref ctx),
                        (uint)SseFloat.ToIntegerLane(v.GetElement(2), single, 32, truncate, ref ctx), (uint)SseFloat.ToIntegerLane(v.GetElement(3), single, 32, truncate, ref ctx)).AsUInt64();
                    break;
                }

            case Mnemonic.Cvtdq2pd:
                {
                    ulong low = SseOperands.ReadScalar(cpu, ins, 1, 8);
                    result = Vector128.Create(SseFloat.FromIntegerLane((int)low, dbl, ref ctx), SseFloat.FromIntegerLane((int)(low >> 32), dbl, ref ctx));
                    break;
                }

            case Mnemonic.Cvtpd2dq:
            case Mnemonic.Cvttpd2dq:
                {
                    bool truncate = ins.Mnemonic == Mnemonic.Cvttpd2dq;
                    Vector128<ulong> v = SseOperands.Read128(cpu, ins, 1);
                    ulong low = SseFloat.ToIntegerLane(v.GetElement(0), dbl, 32, truncate, ref ctx);
                    ulong high = SseFloat.ToIntegerLane(v.GetElement(1), dbl, 32, truncate, ref ctx);
                    result = Vector128.Create(low | (high << 32), 0UL);
                    break;
                }

            case Mnemonic.Cvtps2pd:
                {
                    ulong low = SseOperands.ReadScalar(cpu, ins, 1, 8);
                    result = Vector128.Create(SseFloat.ConvertLane((uint)low, single, dbl, ref ctx), SseFloat.ConvertLane(low >> 32, single, dbl, ref ctx));
                    break;
                }

            case Mnemonic.Cvtpd2ps:
                {
                    Vector128<ulong> v = SseOperands.Read128(cpu, ins, 1);
                    ulong low = SseFloat.ConvertLane(v.GetElement(0), dbl, single, ref ctx);
                    ulong high = SseFloat.ConvertLane(v.GetElement(1), dbl, single, ref ctx);
                    result = Vector128.Create(low | (high << 32), 0UL);
                    break;
                }

            default:
                return false;
        }

        SseOperands.RaiseFlags(cpu, ctx.Flags);
        SseOperands.SetXmm(s, ins.Op0Register, result);
        return true;
    }
}
