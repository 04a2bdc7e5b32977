using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cpu.Execution;
using Cpu.Semantics.Mmx;
using Cpu.State;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// Operands of the SSE instructions: XMM registers, 128-bit memory operands (their alignment is checked
/// before the instruction runs, by <see cref="SseGuards"/>), scalar parts of an XMM register or memory,
/// and general registers. 128-bit stores are probed whole before writing.
/// </summary>
public static class SseOperands
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int XmmIndex(Register r) => r - Register.XMM0;

    public static bool IsXmm(Register r) => r >= Register.XMM0 && r <= Register.XMM15;

    public static Vector128<ulong> Xmm(CpuState s, Register r) => s.Xmm[XmmIndex(r)];

    /// <summary>An XMM register, or an MMX register zero-extended to 128 bits (the MMX forms share the SSE semantics).</summary>
    public static Vector128<ulong> Register128(CpuState s, Register r) => MmxRegisters.IsMmx(r) ? Vector128.Create(MmxRegisters.Read(s, r), 0UL) : Xmm(s, r);

    /// <summary>Writes an XMM register, or the low quadword to an MMX register (which enters MMX state).</summary>
    public static void SetRegister128(CpuState s, Register r, Vector128<ulong> v)
    {
        if (MmxRegisters.IsMmx(r))
        {
            MmxRegisters.Write(s, r, v.GetElement(0));
        }
        else
        {
            SetXmm(s, r, v);
        }
    }

    /// <summary>
    /// The width in bytes of a packed operation: 8 when the register operand (the destination, or the source
    /// when the destination is a general register) is an MMX register, else 16.
    /// </summary>
    public static int Width(in Instruction ins) => MmxRegisters.IsMmx(ins.Op0Register) || MmxRegisters.IsMmx(ins.Op1Register) ? 8 : 16;

    public static void SetXmm(CpuState s, Register r, Vector128<ulong> v) => s.Xmm[XmmIndex(r)] = v;

    /// <summary>
    /// Reads a 128-bit operand (XMM or m128); for an instruction on an MMX destination, the MMX register or the
    /// m64/m32 operand, zero-extended.
    /// </summary>
    public static Vector128<ulong> Read128(Processor cpu, in Instruction ins, int op)
    {
        if (ins.GetOpKind(op) == OpKind.Register)
        {
            return Register128(cpu.State, ins.GetOpRegister(op));
        }

        ulong address = Operands.EffectiveAddress(cpu, ins);
        int size = Operands.MemorySizeBytes(ins.MemorySize);
        if (size < 16 && MmxRegisters.IsMmx(ins.Op0Register))
        {
            return Vector128.Create(Operands.ReadMemory(cpu, address, size), 0UL);
        }

        ulong low = cpu.Memory.Read64(address);
        ulong high = cpu.Memory.Read64(address + 8);
        return Vector128.Create(low, high);
    }

    /// <summary>Writes a 128-bit operand (XMM or m128).</summary>
    public static void Write128(Processor cpu, in Instruction ins, int op, Vector128<ulong> value)
    {
        if (ins.GetOpKind(op) == OpKind.Register)
        {
            SetXmm(cpu.State, ins.GetOpRegister(op), value);
            return;
        }

        ulong address = Operands.EffectiveAddress(cpu, ins);
        cpu.Memory.ProbeWrite(address, 16);
        cpu.Memory.Write64(address, value.GetElement(0));
        cpu.Memory.Write64(address + 8, value.GetElement(1));
    }

    /// <summary>
    /// Reads the low <paramref name="size"/> bytes of an XMM register, the memory operand of that size, or a
    /// general register (zero-extended). No alignment is required.
    /// </summary>
    public static ulong ReadScalar(Processor cpu, in Instruction ins, int op, int size)
    {
        OpKind k = ins.GetOpKind(op);
        if (k == OpKind.Register)
        {
            Register r = ins.GetOpRegister(op);
            return IsXmm(r) ? Xmm(cpu.State, r).GetElement(0) & Operands.SizeMask(size) : Operands.ReadRegister(cpu.State, r);
        }

        if (k == OpKind.Memory)
        {
            return Operands.ReadMemory(cpu, Operands.EffectiveAddress(cpu, ins), size);
        }

        return ins.GetImmediate(op);
    }

    /// <summary>The destination's low <paramref name="size"/> bytes replaced, the rest kept (scalar results).</summary>
    public static Vector128<ulong> Merge(Vector128<ulong> destination, int size, ulong value)
    {
        ulong mask = Operands.SizeMask(size);
        return destination.WithElement(0, (destination.GetElement(0) & ~mask) | (value & mask));
    }

    /// <summary>
    /// Applies the exception flags an operation raised to MXCSR. Unmasked ones fault before the result is
    /// written: #XM when CR4.OSXMMEXCPT is set, #UD otherwise (SDM Vol. 3, 13.1.4); returns otherwise.
    /// </summary>
    public static void RaiseFlags(Processor cpu, uint flags)
    {
        CpuState s = cpu.State;
        s.Mxcsr |= flags;
        if ((flags & ~(s.Mxcsr >> MxcsrBits.MaskShift) & MxcsrBits.Flags) != 0)
        {
            throw (s.Cr4 & ControlRegisters.Cr4Osxmmexcpt) != 0 ? CpuException.SimdFloatingPoint() : CpuException.InvalidOpcode();
        }
    }
}
