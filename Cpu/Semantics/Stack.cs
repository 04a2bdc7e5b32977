using System.Runtime.CompilerServices;
using Cpu.State;

namespace Cpu.Semantics;

/// <summary>
/// Stack accesses: RSP in 64-bit mode, ESP or SP (by SS.B) with the SS base otherwise. The memory access
/// happens before RSP changes, so a faulting push or pop leaves RSP as it was.
/// </summary>
public static class Stack
{
    private const int Rsp = 4;

    /// <summary>True when the stack uses ESP/RSP rather than SP (64-bit mode, or SS.B set).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int StackAddressSize(Processor cpu) =>
        cpu.Bitness == 64 ? 8 : (cpu.State.Segments[SegmentIndex.Ss].Attributes & (1 << 14)) != 0 ? 4 : 2;

    /// <summary>The linear address of stack offset <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Linear(Processor cpu, ulong offset)
    {
        if (cpu.Bitness == 64)
        {
            if (!Operands.IsCanonical(offset))
            {
                throw Execution.CpuException.StackFault();
            }

            return offset;
        }

        return (uint)(cpu.State.Segments[SegmentIndex.Ss].Base + offset);
    }

    /// <summary>RSP after adding <paramref name="delta"/>, wrapped to the stack address size (upper bits kept for SP).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Adjust(Processor cpu, ulong rsp, long delta)
    {
        switch (StackAddressSize(cpu))
        {
            case 8: return rsp + (ulong)delta;
            case 4: return (uint)(rsp + (ulong)delta);
            default: return (rsp & ~0xFFFFUL) | (ushort)(rsp + (ulong)delta);
        }
    }

    /// <summary>The stack pointer as an offset of the current stack address size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Offset(Processor cpu, ulong rsp) => StackAddressSize(cpu) switch
    {
        8 => rsp,
        4 => (uint)rsp,
        _ => (ushort)rsp,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Push(Processor cpu, ulong value, int size)
    {
        ulong[] g = cpu.State.Gpr;
        ulong rsp = Adjust(cpu, g[Rsp], -size);
        Operands.WriteMemory(cpu, Linear(cpu, Offset(cpu, rsp)), size, value);
        g[Rsp] = rsp;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Pop(Processor cpu, int size)
    {
        ulong[] g = cpu.State.Gpr;
        ulong value = Operands.ReadMemory(cpu, Linear(cpu, Offset(cpu, g[Rsp])), size);
        g[Rsp] = Adjust(cpu, g[Rsp], size);
        return value;
    }

    /// <summary>Reads the stack <paramref name="depth"/> bytes above RSP without popping.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Peek(Processor cpu, int size, long depth)
    {
        ulong rsp = Adjust(cpu, cpu.State.Gpr[Rsp], depth);
        return Operands.ReadMemory(cpu, Linear(cpu, Offset(cpu, rsp)), size);
    }
}
