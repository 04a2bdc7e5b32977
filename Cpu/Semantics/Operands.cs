using System.Runtime.CompilerServices;
using Cpu.Execution;
using Cpu.State;
using Iced.Intel;

namespace Cpu.Semantics;

/// <summary>
/// Reading and writing the operands of a decoded Iced <see cref="Instruction"/>: registers by Iced
/// <see cref="Register"/>, memory operands (effective address plus segment base), immediates.
/// Shared by the interpreter, the system instructions and the JIT.
/// </summary>
public static class Operands
{
    private const byte KindNone = 0;
    private const byte KindLow8 = 1;
    private const byte KindHigh8 = 2;
    private const byte Kind16 = 3;
    private const byte Kind32 = 4;
    private const byte Kind64 = 5;
    private const byte KindSegment = 6;
    private const byte KindOther = 7;

    private static readonly byte[] RegisterKind = new byte[256];
    private static readonly byte[] RegisterIndex = new byte[256];
    private static readonly byte[] RegisterBytes = new byte[256];
    private static readonly byte[] MemoryBytes = new byte[512];

    static Operands()
    {
        foreach (Register r in Enum.GetValues<Register>())
        {
            int i = (int)r;
            if (i >= RegisterKind.Length)
            {
                continue;
            }

            if (r.IsGPR8())
            {
                int n = r - Register.AL;
                bool high = n is >= 4 and <= 7;
                RegisterKind[i] = high ? KindHigh8 : KindLow8;
                RegisterIndex[i] = (byte)(n < 4 ? n : high ? n - 4 : n - 4);
                RegisterBytes[i] = 1;
            }
            else if (r.IsGPR16())
            {
                RegisterKind[i] = Kind16;
                RegisterIndex[i] = (byte)(r - Register.AX);
                RegisterBytes[i] = 2;
            }
            else if (r.IsGPR32())
            {
                RegisterKind[i] = Kind32;
                RegisterIndex[i] = (byte)(r - Register.EAX);
                RegisterBytes[i] = 4;
            }
            else if (r.IsGPR64())
            {
                RegisterKind[i] = Kind64;
                RegisterIndex[i] = (byte)(r - Register.RAX);
                RegisterBytes[i] = 8;
            }
            else if (r.IsSegmentRegister())
            {
                RegisterKind[i] = KindSegment;
                RegisterIndex[i] = (byte)(r - Register.ES);
                RegisterBytes[i] = 2;
            }
            else if (r != Register.None)
            {
                RegisterKind[i] = KindOther;
                RegisterBytes[i] = (byte)Math.Min(255, r.GetSize());
            }
        }

        foreach (MemorySize m in Enum.GetValues<MemorySize>())
        {
            if ((int)m < MemoryBytes.Length)
            {
                MemoryBytes[(int)m] = (byte)Math.Min(255, m.GetSize());
            }
        }
    }

    /// <summary>Size in bytes of a register (1, 2, 4, 8; segment registers 2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RegisterSize(Register register) => RegisterBytes[(int)register & 0xFF];

    /// <summary>Index 0-15 of the GPR that holds <paramref name="register"/>, or the segment index for segment registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RegisterNumber(Register register) => RegisterIndex[(int)register & 0xFF];

    /// <summary>Size in bytes of a memory operand of this Iced <see cref="MemorySize"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MemorySizeBytes(MemorySize size) => MemoryBytes[(int)size & 0x1FF];

    /// <summary>Reads a general-purpose or segment register, zero-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadRegister(CpuState s, Register register)
    {
        int r = (int)register & 0xFF;
        int idx = RegisterIndex[r];
        switch (RegisterKind[r])
        {
            case Kind64: return s.Gpr[idx];
            case Kind32: return (uint)s.Gpr[idx];
            case Kind16: return (ushort)s.Gpr[idx];
            case KindLow8: return (byte)s.Gpr[idx];
            case KindHigh8: return (byte)(s.Gpr[idx] >> 8);
            case KindSegment: return s.Segments[idx].Selector;
            default: return ReadOtherRegister(register);
        }
    }

    /// <summary>Writes a general-purpose register with x86-64 merging: 8/16-bit writes merge, 32-bit writes zero-extend.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteRegister(CpuState s, Register register, ulong value)
    {
        int r = (int)register & 0xFF;
        int idx = RegisterIndex[r];
        ref ulong g = ref s.Gpr[idx];
        switch (RegisterKind[r])
        {
            case Kind64: g = value; break;
            case Kind32: g = (uint)value; break;
            case Kind16: g = (g & ~0xFFFFUL) | (ushort)value; break;
            case KindLow8: g = (g & ~0xFFUL) | (byte)value; break;
            case KindHigh8: g = (g & ~0xFF00UL) | ((ulong)(byte)value << 8); break;
            default: throw new InvalidOperationException($"not a general-purpose register: {register}");
        }
    }

    /// <summary>
    /// The offset part of the memory operand (base + index*scale + displacement, wrapped to the
    /// address size), without the segment base. This is what LEA computes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong EffectiveOffset(CpuState s, in Instruction instruction)
    {
        ulong ea = instruction.MemoryDisplacement64;
        Register b = instruction.MemoryBase;
        Register x = instruction.MemoryIndex;
        int kind = KindNone;
        if (b != Register.None)
        {
            if (b == Register.RIP)
            {
                // Iced folds RIP-relative operands into an absolute displacement.
                return ea;
            }

            if (b == Register.EIP)
            {
                return (uint)ea;
            }

            kind = RegisterKind[(int)b];
            ea += ReadRegister(s, b);
        }

        if (x != Register.None)
        {
            kind = RegisterKind[(int)x] > kind ? RegisterKind[(int)x] : kind;
            ea += ReadRegister(s, x) * (ulong)instruction.MemoryIndexScale;
        }

        return kind switch
        {
            Kind32 => (uint)ea,
            Kind16 => (ushort)ea,
            _ => ea,
        };
    }

    /// <summary>The linear address of the instruction's memory operand: segment base plus effective offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong EffectiveAddress(Processor cpu, in Instruction instruction)
    {
        ulong offset = EffectiveOffset(cpu.State, instruction);
        return SegmentedAddress(cpu, instruction.MemorySegment, offset);
    }

    /// <summary>
    /// Adds the segment base to an offset: in 64-bit mode only FS and GS have a base, and a non-canonical
    /// result is #GP(0) (#SS(0) through SS); in 32/16-bit modes the linear address wraps at 4 GiB. Segment
    /// limits are not checked (flat segments).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SegmentedAddress(Processor cpu, Register segment, ulong offset)
    {
        ulong linear = LinearAddress(cpu, segment, offset);
        if (cpu.Bitness == 64)
        {
            CheckCanonical(segment, linear);
        }

        return linear;
    }

    /// <summary>64-bit mode's check of a linear address: non-canonical is #GP(0), or #SS(0) through SS (SDM 3.3.7.1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckCanonical(Register segment, ulong linear)
    {
        if (!IsCanonical(linear))
        {
            throw segment == Register.SS ? CpuException.StackFault() : CpuException.GeneralProtection();
        }
    }

    /// <summary>
    /// The linear address of the memory operand without the canonical check: for INVLPG, which the SDM
    /// makes a no-op on a non-canonical address instead of a fault.
    /// </summary>
    public static ulong EffectiveLinearAddress(Processor cpu, in Instruction instruction) =>
        LinearAddress(cpu, instruction.MemorySegment, EffectiveOffset(cpu.State, instruction));

    /// <summary>The segment base added to an offset as <see cref="SegmentedAddress"/> does, without the canonical check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong LinearAddress(Processor cpu, Register segment, ulong offset)
    {
        if (cpu.Bitness == 64)
        {
            if (segment == Register.FS)
            {
                offset += cpu.State.Segments[SegmentIndex.Fs].Base;
            }
            else if (segment == Register.GS)
            {
                offset += cpu.State.Segments[SegmentIndex.Gs].Base;
            }

            return offset;
        }

        return (uint)(offset + cpu.State.Segments[RegisterIndex[(int)segment & 0xFF]].Base);
    }

    /// <summary>Size in bytes of operand <paramref name="op"/> (register, memory or immediate).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int OperandSize(in Instruction instruction, int op)
    {
        OpKind k = instruction.GetOpKind(op);
        switch (k)
        {
            case OpKind.Register: return RegisterBytes[(int)instruction.GetOpRegister(op) & 0xFF];
            case OpKind.Memory: return MemoryBytes[(int)instruction.MemorySize & 0x1FF];
            case OpKind.Immediate8:
            case OpKind.Immediate8_2nd: return 1;
            case OpKind.Immediate16:
            case OpKind.Immediate8to16: return 2;
            case OpKind.Immediate32:
            case OpKind.Immediate8to32: return 4;
            default:
                if (k >= OpKind.MemorySegSI && k <= OpKind.MemoryESRDI)
                {
                    return MemoryBytes[(int)instruction.MemorySize & 0x1FF];
                }

                return 8;
        }
    }

    /// <summary>Reads operand <paramref name="op"/>, zero-extended (immediates as Iced extends them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadOperand(Processor cpu, in Instruction instruction, int op)
    {
        OpKind k = instruction.GetOpKind(op);
        if (k == OpKind.Register)
        {
            return ReadRegister(cpu.State, instruction.GetOpRegister(op));
        }

        if (k == OpKind.Memory)
        {
            return ReadMemory(cpu, EffectiveAddress(cpu, instruction), MemoryBytes[(int)instruction.MemorySize & 0x1FF]);
        }

        return instruction.GetImmediate(op);
    }

    /// <summary>Writes operand <paramref name="op"/> (register or memory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteOperand(Processor cpu, in Instruction instruction, int op, ulong value)
    {
        if (instruction.GetOpKind(op) == OpKind.Register)
        {
            WriteRegister(cpu.State, instruction.GetOpRegister(op), value);
            return;
        }

        WriteMemory(cpu, EffectiveAddress(cpu, instruction), MemoryBytes[(int)instruction.MemorySize & 0x1FF], value);
    }

    /// <summary>Reads 1, 2, 4 or 8 bytes at a linear address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadMemory(Processor cpu, ulong linear, int size)
    {
        switch (size)
        {
            case 8: return cpu.Memory.Read64(linear);
            case 4: return cpu.Memory.Read32(linear);
            case 2: return cpu.Memory.Read16(linear);
            default: return cpu.Memory.Read8(linear);
        }
    }

    /// <summary>Writes 1, 2, 4 or 8 bytes at a linear address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteMemory(Processor cpu, ulong linear, int size, ulong value)
    {
        switch (size)
        {
            case 8: cpu.Memory.Write64(linear, value); break;
            case 4: cpu.Memory.Write32(linear, (uint)value); break;
            case 2: cpu.Memory.Write16(linear, (ushort)value); break;
            default: cpu.Memory.Write8(linear, (byte)value); break;
        }
    }

    /// <summary>True when bits 63:47 of a 64-bit linear address are all equal (Intel SDM 3.3.7.1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsCanonical(ulong linear) => (ulong)((long)(linear << 16) >> 16) == linear;

    /// <summary>All-ones mask of an operand size in bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SizeMask(int size) => size >= 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

    /// <summary>Sign-extends a value of <paramref name="size"/> bytes to 64 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long SignExtend(ulong value, int size) => size switch
    {
        1 => (sbyte)value,
        2 => (short)value,
        4 => (int)value,
        _ => (long)value,
    };

    private static ulong ReadOtherRegister(Register register) =>
        throw new CpuException(ExceptionVector.InvalidOpcode);
}
