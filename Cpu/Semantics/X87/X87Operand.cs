using Cpu.Semantics.Float;
using Cpu.State;
using Iced.Intel;
using static Cpu.Semantics.X87.X87Fpu;

namespace Cpu.Semantics.X87;

/// <summary>
/// The operands of the x87 arithmetic and compare instructions: the destination and source registers,
/// or ST(0) with a memory operand (m32/m64 floating point, m16/m32 integer) converted exactly.
/// </summary>
public static class X87Operand
{
    /// <summary>
    /// The destination's stack index and the second operand of a two-operand form: "op ST(0), m", "op
    /// ST(0), ST(i)", "op ST(i), ST(0)" (also the P forms), or with no operand ST(1), ST(0). Returns false
    /// on stack underflow (after reporting it; <paramref name="masked"/> tells whether the indefinite must be written).
    /// </summary>
    public static bool Fetch(Processor cpu, in Instruction ins, X87State x, out int destination, out Unpacked a, out Unpacked b, out bool masked)
    {
        int other;
        a = b = default;
        masked = false;
        if (ins.OpCount == 0)
        {
            destination = 1;
            other = 0;
        }
        else if (ins.Op0Kind == OpKind.Memory)
        {
            destination = 0;
            if (IsEmpty(x, 0))
            {
                masked = Underflow(x);
                return false;
            }

            a = SoftFloat.Unpack(Get(x, 0));
            b = Memory(cpu, ins, x);
            return true;
        }
        else if (ins.OpCount == 1)
        {
            destination = 0;
            other = StackIndex(ins.Op0Register);
        }
        else
        {
            destination = StackIndex(ins.Op0Register);
            other = StackIndex(ins.Op1Register);
        }

        if (IsEmpty(x, destination) || IsEmpty(x, other))
        {
            masked = Underflow(x);
            return false;
        }

        a = SoftFloat.Unpack(Get(x, destination));
        b = SoftFloat.Unpack(Get(x, other));
        return true;
    }

    /// <summary>A memory operand as a value: m32/m64 floating point or, for the FI- forms, an m16/m32 integer.</summary>
    public static Unpacked Memory(Processor cpu, in Instruction ins, X87State x)
    {
        ulong address = Operands.EffectiveAddress(cpu, ins);
        int size = Operands.MemorySizeBytes(ins.MemorySize);
        ulong raw = Operands.ReadMemory(cpu, address, size);
        FloatContext ctx = Context(x);
        if (ins.MemorySize is MemorySize.Int16 or MemorySize.Int32)
        {
            return SoftFloat.FromInteger(Operands.SignExtend(raw, size), FloatFormat.Extended, ref ctx);
        }

        return SoftFloat.Unpack(raw, size == 4 ? FloatFormat.Single : FloatFormat.Double, ref ctx);
    }

    /// <summary>
    /// NaN operands by the x87 rule (SDM Vol. 1, Table 4-7): a QNaN wins over an SNaN; of two NaNs of the
    /// same kind the one with the larger significand; the result quiet, invalid for an SNaN.
    /// </summary>
    public static bool TryNaN(Unpacked a, Unpacked b, ref FloatContext ctx, out Unpacked result)
    {
        if (!a.IsNaN && !b.IsNaN)
        {
            result = default;
            return false;
        }

        if (a.Kind == FloatKind.SignalingNaN || b.Kind == FloatKind.SignalingNaN)
        {
            ctx.Flags |= FloatFlags.Invalid;
        }

        Unpacked chosen;
        if (a.IsNaN && b.IsNaN)
        {
            chosen = a.Kind != b.Kind
                ? (a.Kind == FloatKind.QuietNaN ? a : b)
                : ((a.Significand | (1UL << 62)) > (b.Significand | (1UL << 62)) ? a : (a.Significand | (1UL << 62)) < (b.Significand | (1UL << 62)) ? b : (a.Sign ? b : a));
        }
        else
        {
            chosen = a.IsNaN ? a : b;
        }

        result = chosen.Quieted();
        return true;
    }
}
