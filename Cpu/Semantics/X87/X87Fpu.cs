using Cpu.Execution;
using Cpu.Semantics.Float;
using Cpu.State;
using Cpu.System;

namespace Cpu.Semantics.X87;

/// <summary>
/// What every x87 instruction shares (Intel SDM Vol. 1, chapter 8): the #NM and pending-#MF checks, the
/// status-word bits, exception reporting with the masked/unmasked responses, the stack's registers with
/// underflow and overflow, and the floating-point context the control word describes.
/// </summary>
public static class X87Fpu
{
    public const ushort StackFault = 1 << 6;
    public const ushort ErrorSummary = 1 << 7;
    public const ushort C0 = 1 << 8;
    public const ushort C1 = 1 << 9;
    public const ushort C2 = 1 << 10;
    public const ushort C3 = 1 << 14;
    public const ushort Busy = 1 << 15;
    public const ushort ConditionCodes = C0 | C1 | C2 | C3;

    /// <summary>The exceptions detected before a result exists: the destination is kept when they are unmasked (SDM 8.5).</summary>
    private const uint PreComputation = FloatFlags.Invalid | FloatFlags.Denormal | FloatFlags.DivideByZero;

    /// <summary>The "real indefinite" QNaN (SDM 4.8.3.7).</summary>
    public static readonly Float80 Indefinite = new(0xC000_0000_0000_0000, 0xFFFF);

    /// <summary>
    /// The checks before an x87 instruction (SDM 8.6, 8.7): #NM when CR0.EM or CR0.TS; then, for a waiting
    /// instruction, #MF when an unmasked exception is pending (ES) and CR0.NE is set. With CR0.NE clear the
    /// error would go to the FERR# pin, which this machine does not wire: the instruction proceeds.
    /// </summary>
    public static X87State Begin(Processor cpu, bool waiting = true)
    {
        CpuState s = cpu.State;
        if ((s.Cr0 & (ControlRegisters.Cr0Em | ControlRegisters.Cr0Ts)) != 0)
        {
            throw CpuException.DeviceNotAvailable();
        }

        if (waiting)
        {
            CheckPending(s);
        }

        return s.X87;
    }

    /// <summary>
    /// <see cref="Begin(Processor, bool)"/> for a non-control (waiting) instruction, which then records its
    /// instruction, opcode and data pointers (SDM 8.1.8) before it can raise an exception.
    /// </summary>
    public static X87State Begin(Processor cpu, in Iced.Intel.Instruction ins)
    {
        X87State x = Begin(cpu);
        X87Pointers.Record(cpu, x, ins);
        return x;
    }

    /// <summary>FWAIT: #NM only when CR0.MP and CR0.TS are both set (SDM WAIT/FWAIT), then the pending-exception check.</summary>
    public static void Wait(Processor cpu)
    {
        CpuState s = cpu.State;
        if ((s.Cr0 & (ControlRegisters.Cr0Mp | ControlRegisters.Cr0Ts)) == (ControlRegisters.Cr0Mp | ControlRegisters.Cr0Ts))
        {
            throw CpuException.DeviceNotAvailable();
        }

        CheckPending(s);
    }

    /// <summary>#MF when an unmasked exception is pending (ES) and CR0.NE is set (SDM 8.7); MMX instructions check it too (SDM 9.6.1).</summary>
    public static void CheckPending(CpuState s)
    {
        if ((s.X87.Status & ErrorSummary) != 0 && (s.Cr0 & ControlRegisters.Cr0Ne) != 0)
        {
            throw CpuException.X87FloatingPoint();
        }
    }

    /// <summary>
    /// Records raised exception flags; unmasked ones set ES and B (the fault comes at the next waiting
    /// instruction). Returns true when an unmasked pre-computation exception forbids writing the result.
    /// </summary>
    public static bool Raise(X87State x, uint flags)
    {
        x.Status |= (ushort)flags;
        uint unmasked = flags & ~(uint)x.Control & FloatFlags.All;
        if (unmasked != 0)
        {
            x.Status |= ErrorSummary | Busy;
        }

        return (unmasked & PreComputation) != 0;
    }

    /// <summary>Recomputes ES and B from the flags and masks (FLDCW, FXRSTOR-like loads).</summary>
    public static void UpdateSummary(X87State x)
    {
        bool pending = (x.Status & ~x.Control & FloatFlags.All) != 0;
        x.Status = (ushort)(pending ? x.Status | ErrorSummary | Busy : x.Status & ~(ErrorSummary | Busy));
    }

    public static void SetConditionCodes(X87State x, ushort codes) => x.Status = (ushort)((x.Status & ~ConditionCodes) | codes);

    public static void SetC1(X87State x, bool value) => x.Status = (ushort)(value ? x.Status | C1 : x.Status & ~C1);

    /// <summary>The rounding control of the control word (SDM 8.1.5.3); its exceptions never flush to zero.</summary>
    public static FloatContext Context(X87State x) =>
        new((RoundingMode)((x.Control >> 10) & 3), underflowMasked: (x.Control & FloatFlags.Underflow) != 0);

    /// <summary>The precision control (SDM 8.1.5.2): 24, 53 or 64 significand bits (the reserved 01 acts as 64) with the extended exponent range.</summary>
    public static FloatFormat Precision(X87State x) => ((x.Control >> 8) & 3) switch
    {
        0 => FloatFormat.Extended.WithPrecision(24),
        2 => FloatFormat.Extended.WithPrecision(53),
        _ => FloatFormat.Extended,
    };

    public static bool IsEmpty(X87State x, int i) => x.TagOf(x.Physical(i)) == X87State.TagEmpty;

    public static Float80 Get(X87State x, int i) => x.Registers[x.Physical(i)];

    public static void Put(X87State x, int i, Float80 value) => x.Set(x.Physical(i), value);

    public static void Pop(X87State x)
    {
        x.SetTag(x.Top, X87State.TagEmpty);
        x.Top++;
    }

    /// <summary>
    /// Stack underflow (SDM 8.5.1.1): IE and SF with C1 clear. Returns true when the exception is masked
    /// (the caller then writes the indefinite result), false when the instruction must leave its destination.
    /// </summary>
    public static bool Underflow(X87State x)
    {
        SetC1(x, false);
        x.Status |= StackFault;
        return !Raise(x, FloatFlags.Invalid);
    }

    /// <summary>
    /// Pushes a value (SDM 8.1.2), or on stack overflow (the new ST(0) not empty) raises IE and SF with C1
    /// set and, when masked, pushes the indefinite instead. C1 is cleared otherwise.
    /// </summary>
    public static void Push(X87State x, Float80 value)
    {
        if (Overflows(x))
        {
            SetC1(x, true);
            x.Status |= StackFault;
            if (Raise(x, FloatFlags.Invalid))
            {
                return;
            }

            value = Indefinite;
        }
        else
        {
            SetC1(x, false);
        }

        x.Top--;
        x.Set(x.Top, value);
    }

    /// <summary>
    /// The stack checks of an instruction that replaces ST(0) and pushes a second result (FXTRACT, FPTAN,
    /// FSINCOS): underflow of ST(0) (C1 clear) before overflow of the push (C1 set); either, masked, leaves
    /// the indefinite in both registers. Returns true when a fault was handled (the instruction is done).
    /// </summary>
    public static bool ReplaceAndPushFaults(X87State x)
    {
        if (IsEmpty(x, 0))
        {
            if (!Underflow(x))
            {
                return true;
            }
        }
        else if (Overflows(x))
        {
            SetC1(x, true);
            x.Status |= StackFault;
            if (Raise(x, FloatFlags.Invalid))
            {
                return true;
            }
        }
        else
        {
            return false;
        }

        Put(x, 0, Indefinite);
        x.Top--;
        x.Set(x.Top, Indefinite);
        return true;
    }

    /// <summary>Whether a push would overflow the stack: the register below TOP is full.</summary>
    public static bool Overflows(X87State x) => x.TagOf((x.Top - 1) & 7) != X87State.TagEmpty;

    /// <summary>The index of an ST(i) register operand.</summary>
    public static int StackIndex(Iced.Intel.Register r) => r - Iced.Intel.Register.ST0;

    /// <summary>The bias adjustment of an unmasked overflow or underflow result (SDM Vol. 1, 8.5.4, 8.5.5).</summary>
    private const int WrapBias = 0x6000;

    /// <summary>An exponent width no x87 result leaves: FSCALE's largest shift (2^17) plus the extended range.</summary>
    internal const int UnboundedExponentBits = 20;

    /// <summary>
    /// The result of an unmasked overflow or underflow (SDM Vol. 1, 8.5.4, 8.5.5) from <paramref name="unbounded"/>,
    /// the same operation rounded to the precision with an unbounded exponent (its context <paramref name="wide"/>):
    /// the exponent is divided (overflow) or multiplied (underflow) by 2^24576 into range. Only FSCALE can land
    /// outside the range even then ("massive" overflow or underflow): a signed infinity or zero is stored. The
    /// overflow or underflow flag stays; precision and C1 describe the unbounded rounding.
    /// </summary>
    internal static Unpacked WrapExponent(Unpacked unbounded, in FloatContext wide, ref FloatContext ctx)
    {
        bool overflow = (ctx.Flags & FloatFlags.Overflow) != 0;
        ctx.Flags = (ctx.Flags & ~FloatFlags.Precision) | (wide.Flags & FloatFlags.Precision);
        ctx.RoundedUp = wide.RoundedUp;
        int exponent = unbounded.Exponent + (overflow ? -WrapBias : WrapBias);
        if (overflow && exponent > FloatFormat.Extended.MaxExponent)
        {
            return Unpacked.Infinity(unbounded.Sign);
        }

        if (!overflow && exponent < FloatFormat.Extended.MinExponent)
        {
            return Unpacked.Zero(unbounded.Sign);
        }

        return unbounded with { Exponent = exponent };
    }
}
