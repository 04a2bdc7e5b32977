using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cpu.Semantics.Sse;
using Cpu.State;
using Iced.Intel;

namespace Cpu.Semantics.Mmx;

/// <summary>
/// MM0-MM7, aliased onto the x87 data registers (Intel SDM Vol. 1, 9.5): MMi is the significand of the
/// physical register Ri (not ST(i)). Writing one sets that register's sign and exponent bits to all ones;
/// every MMX instruction (a read too) sets TOP to 0 and tags all eight registers valid, and EMMS tags
/// them all empty. <see cref="Enter"/> is called once the instruction can no longer fault, so a faulting
/// MMX instruction changes no state.
/// </summary>
public static class MmxRegisters
{
    /// <summary>The sign and exponent an MMX write leaves in the x87 register (SDM 9.5.1).</summary>
    public const ushort WrittenSignExponent = 0xFFFF;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsMmx(Register r) => r >= Register.MM0 && r <= Register.MM7;

    public static ulong Read(CpuState s, Register r) => s.X87.Registers[r - Register.MM0].Significand;

    /// <summary>Writes MMi and makes the transition to MMX state (<see cref="Enter"/>).</summary>
    public static void Write(CpuState s, Register r, ulong value)
    {
        X87State x = s.X87;
        int i = r - Register.MM0;
        x.Registers[i] = new Float80(value, WrittenSignExponent);
        if (x.Top == 0 && NoneEmpty(x.Tag))
        {
            // Already in MMX state: only the written register's tag changes (to special, by its exponent).
            x.SetTag(i, X87State.Classify(x.Registers[i]));
            return;
        }

        Enter(x);
    }

    /// <summary>
    /// The x87-to-MMX transition every MMX instruction makes: TOP = 0 and no register empty. The SDM (9.5.1)
    /// says every tag becomes valid (00B); the processor keeps only whether a register is empty (the
    /// FXSAVE abridged tag) and FNSTENV/FNSAVE derive the rest from the contents (zero, special), so the full
    /// tags are those of the contents, as the host shows.
    /// </summary>
    public static void Enter(X87State x)
    {
        if (x.Top != 0 || !NoneEmpty(x.Tag))
        {
            x.Top = 0;
            x.SetAbridgedTag(0xFF);
        }
    }

    /// <summary>
    /// Reads operand <paramref name="op"/> as 64 bits: an MMX register, the low quadword of an XMM register, a
    /// general register or memory of the operand's size, zero-extended.
    /// </summary>
    public static ulong ReadOperand(Processor cpu, in Instruction ins, int op)
    {
        if (ins.GetOpKind(op) == OpKind.Register)
        {
            Register r = ins.GetOpRegister(op);
            return IsMmx(r) ? Read(cpu.State, r) : SseOperands.IsXmm(r) ? SseOperands.Xmm(cpu.State, r).GetElement(0) : Operands.ReadRegister(cpu.State, r);
        }

        return Operands.ReadOperand(cpu, ins, op);
    }

    /// <summary>
    /// Writes operand <paramref name="op"/>: an MMX register, an XMM register (zero-extended), a general
    /// register or memory of the operand's size.
    /// </summary>
    public static void WriteOperand(Processor cpu, in Instruction ins, int op, ulong value)
    {
        if (ins.GetOpKind(op) == OpKind.Register)
        {
            Register r = ins.GetOpRegister(op);
            if (IsMmx(r))
            {
                Write(cpu.State, r, value);
                return;
            }

            if (SseOperands.IsXmm(r))
            {
                SseOperands.SetXmm(cpu.State, r, Vector128.Create(value, 0UL));
                return;
            }
        }

        Operands.WriteOperand(cpu, ins, op, value);
    }

    /// <summary>True when no two-bit tag of <paramref name="tag"/> is 11B (empty).</summary>
    private static bool NoneEmpty(ushort tag) => (tag & (tag >> 1) & 0x5555) == 0;

    /// <summary>True when one of the first three operands is an MMX register.</summary>
    public static bool HasMmxOperand(in Instruction ins) =>
        IsMmx(ins.Op0Register) || IsMmx(ins.Op1Register) || (ins.OpCount > 2 && IsMmx(ins.Op2Register));
}
