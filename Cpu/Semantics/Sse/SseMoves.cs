using System.Runtime.Intrinsics;
using Cpu.Semantics.Mmx;
using Cpu.State;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// SSE/SSE2 data movement and bitwise logic on XMM registers (Intel SDM Vol. 2: MOVAPS...MOVDQU, MOVSS,
/// MOVSD, MOVD/MOVQ, MOVLPS/MOVHPS..., MOVMSKPS/PD, ANDPS...PXOR). Alignment is checked by the guard the
/// declaration chooses (Cpu/Instructions/SseInstructionForms), not here.
/// </summary>
public static class SseMoves
{
    /// <summary>A whole 128-bit move: MOVAPS/PD, MOVUPS/PD, MOVDQA/U, MOVNTPS/PD/DQ, LDDQU, MOVNTDQA.</summary>
    public static void Move128(Processor cpu, ref Instruction ins) => SseOperands.Write128(cpu, ins, 0, SseOperands.Read128(cpu, ins, 1));

    /// <summary>MOVSS.</summary>
    public static void MoveScalarSingle(Processor cpu, ref Instruction ins) => MoveScalar(cpu, ins, 4);

    /// <summary>MOVSD (the SSE2 form).</summary>
    public static void MoveScalarDouble(Processor cpu, ref Instruction ins) => MoveScalar(cpu, ins, 8);

    /// <summary>MOVD/MOVQ between XMM and a general register or memory (zero-extending into XMM), and MOVQ xmm, xmm/m64.</summary>
    public static void MoveToOrFromXmm(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
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
    }

    /// <summary>MOVLPS/MOVLPD: the low quadword from or to memory.</summary>
    public static void MoveLow(Processor cpu, ref Instruction ins) => MoveHalf(cpu, ins, 0);

    /// <summary>MOVHPS/MOVHPD: the high quadword from or to memory.</summary>
    public static void MoveHigh(Processor cpu, ref Instruction ins) => MoveHalf(cpu, ins, 1);

    public static void Movhlps(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        SseOperands.SetXmm(s, ins.Op0Register, SseOperands.Xmm(s, ins.Op0Register).WithElement(0, SseOperands.Xmm(s, ins.Op1Register).GetElement(1)));
    }

    public static void Movlhps(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        SseOperands.SetXmm(s, ins.Op0Register, SseOperands.Xmm(s, ins.Op0Register).WithElement(1, SseOperands.Xmm(s, ins.Op1Register).GetElement(0)));
    }

    public static void Movmskps(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, SseOperands.Xmm(cpu.State, ins.Op1Register).AsUInt32().ExtractMostSignificantBits());

    public static void Movmskpd(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, SseOperands.Xmm(cpu.State, ins.Op1Register).ExtractMostSignificantBits());

    /// <summary>PMOVMSKB from an XMM register (16 bits) or an MMX register (8 bits, entering MMX state).</summary>
    public static void Pmovmskb(Processor cpu, ref Instruction ins)
    {
        Operands.WriteRegister(cpu.State, ins.Op0Register, SseOperands.Register128(cpu.State, ins.Op1Register).AsByte().ExtractMostSignificantBits());
        EnterMmxIfUsed(cpu.State, ins);
    }

    /// <summary>
    /// MASKMOVDQU and MASKMOVQ: the bytes of the first register whose byte in the second has bit 7 set, stored
    /// at DS:rDI (segment overridable; address size from the encoding). A zero mask stores nothing and does not fault.
    /// </summary>
    public static void Maskmovdqu(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        Vector128<byte> data = SseOperands.Register128(s, ins.Op1Register).AsByte();
        uint mask = SseOperands.Register128(s, ins.Op2Register).AsByte().ExtractMostSignificantBits();
        if (mask != 0)
        {
            int width = SseOperands.Width(ins);
            int addressSize = ins.Op0Kind switch { OpKind.MemorySegDI => 2, OpKind.MemorySegEDI => 4, _ => 8 };
            ulong address = Operands.SegmentedAddress(cpu, ins.MemorySegment, s.Gpr[7] & Operands.SizeMask(addressSize));
            cpu.Memory.ProbeWrite(address, width);
            for (int i = 0; i < width; i++)
            {
                if ((mask & (1u << i)) != 0)
                {
                    Operands.WriteMemory(cpu, address + (ulong)i, 1, data.GetElement(i));
                }
            }
        }

        EnterMmxIfUsed(s, ins);
    }

    /// <summary>The transition to MMX state of an instruction that only reads an MMX register (writes make it themselves).</summary>
    public static void EnterMmxIfUsed(CpuState s, in Instruction ins)
    {
        if (MmxRegisters.HasMmxOperand(ins))
        {
            MmxRegisters.Enter(s.X87);
        }
    }

    /// <summary>ANDPS, ANDPD, PAND.</summary>
    public static void And(Processor cpu, ref Instruction ins) => SetDestination(cpu, ins, Destination(cpu, ins) & Source(cpu, ins));

    /// <summary>ANDNPS, ANDNPD, PANDN: the complemented destination and the source.</summary>
    public static void AndNot(Processor cpu, ref Instruction ins) => SetDestination(cpu, ins, ~Destination(cpu, ins) & Source(cpu, ins));

    /// <summary>ORPS, ORPD, POR.</summary>
    public static void Or(Processor cpu, ref Instruction ins) => SetDestination(cpu, ins, Destination(cpu, ins) | Source(cpu, ins));

    /// <summary>XORPS, XORPD, PXOR.</summary>
    public static void Xor(Processor cpu, ref Instruction ins) => SetDestination(cpu, ins, Destination(cpu, ins) ^ Source(cpu, ins));

    /// <summary>The first operand, an XMM register (or an MMX register, zero-extended).</summary>
    public static Vector128<ulong> Destination(Processor cpu, in Instruction ins) => SseOperands.Register128(cpu.State, ins.Op0Register);

    /// <summary>The second operand: XMM or m128 (MMX or m64/m32 for an MMX destination).</summary>
    public static Vector128<ulong> Source(Processor cpu, in Instruction ins) => SseOperands.Read128(cpu, ins, 1);

    /// <summary>Writes the first operand, an XMM register (or the low quadword to an MMX register).</summary>
    public static void SetDestination(Processor cpu, in Instruction ins, Vector128<ulong> value) => SseOperands.SetRegister128(cpu.State, ins.Op0Register, value);

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

    private static void MoveHalf(Processor cpu, in Instruction ins, int element)
    {
        CpuState s = cpu.State;
        if (ins.Op0Kind == OpKind.Memory)
        {
            Operands.WriteMemory(cpu, Operands.EffectiveAddress(cpu, ins), 8, SseOperands.Xmm(s, ins.Op1Register).GetElement(element));
            return;
        }

        ulong value = Operands.ReadMemory(cpu, Operands.EffectiveAddress(cpu, ins), 8);
        SseOperands.SetXmm(s, ins.Op0Register, SseOperands.Xmm(s, ins.Op0Register).WithElement(element, value));
    }
}
