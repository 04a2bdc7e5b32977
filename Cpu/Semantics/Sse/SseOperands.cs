using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cpu.Execution;
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

    public static void SetXmm(CpuState s, Register r, Vector128<ulong> v) => s.Xmm[XmmIndex(r)] = v;

    /// <summary>Reads a 128-bit operand (XMM or m128).</summary>
    public static Vector128<ulong> Read128(Processor cpu, in Instruction ins, int op)
    {
        if (ins.GetOpKind(op) == OpKind.Register)
        {
            return Xmm(cpu.State, ins.GetOpRegister(op));
        }

        ulong address = Operands.EffectiveAddress(cpu, ins);
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
