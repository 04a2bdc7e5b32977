using System.Reflection.Emit;
using Cpu.Semantics;
using Iced.Intel;

namespace Cpu.Translation;

// BlockEmitter, part: Operands and memory: reads, writes, read-modify-write, effective addresses.
public sealed partial class BlockEmitter
{
    /// <summary>
    /// The interpreter's read-modify-write shape: destination read into local <c>a</c>, probed for writing
    /// when it is memory (so a fault comes before the flags change), computed by
    /// <paramref name="compute"/>, and written back when <paramref name="writes"/>.
    /// </summary>
    private void EmitReadModifyWrite(ref Instruction ins, bool writes, Action<int> compute)
    {
        if (ins.Op0Kind == OpKind.Register)
        {
            Register dest = ins.Op0Register;
            EmitReadRegister(dest);
            il.Emit(OpCodes.Stloc, a);
            compute(Operands.RegisterSize(dest));
            if (writes)
            {
                EmitWriteRegister(dest);
            }
            else
            {
                il.Emit(OpCodes.Pop);
            }

            return;
        }

        int size = Operands.MemorySizeBytes(ins.MemorySize);
        EmitEffectiveAddress(ref ins);
        il.Emit(OpCodes.Stloc, address);
        EmitReadMemory(size);
        il.Emit(OpCodes.Stloc, a);
        if (writes)
        {
            EmitProbeWrite(size);
        }

        compute(size);
        if (!writes)
        {
            il.Emit(OpCodes.Pop);
            return;
        }

        il.Emit(OpCodes.Stloc, result);
        EmitWriteMemory(size, result);
    }

    /// <summary>Pushes operand <paramref name="op"/> as a ulong (register, memory or immediate).</summary>
    private void EmitRead(ref Instruction ins, int op)
    {
        switch (ins.GetOpKind(op))
        {
            case OpKind.Register:
                EmitReadRegister(ins.GetOpRegister(op));
                break;
            case OpKind.Memory:
                EmitEffectiveAddress(ref ins);
                il.Emit(OpCodes.Stloc, address);
                EmitReadMemory(Operands.MemorySizeBytes(ins.MemorySize));
                break;
            default:
                il.Emit(OpCodes.Ldc_I8, (long)ins.GetImmediate(op));
                break;
        }
    }

    private static int SizeIndex(int size) => size switch
    {
        1 => 0,
        2 => 1,
        4 => 2,
        _ => 3,
    };

    private void EmitZeroExtend(int size)
    {
        switch (size)
        {
            case 1: il.Emit(OpCodes.Conv_U1); il.Emit(OpCodes.Conv_U8); break;
            case 2: il.Emit(OpCodes.Conv_U2); il.Emit(OpCodes.Conv_U8); break;
            case 4: il.Emit(OpCodes.Conv_U4); il.Emit(OpCodes.Conv_U8); break;
        }
    }

    private static bool IsHigh8(Register r) => r is Register.AH or Register.CH or Register.DH or Register.BH;

    /// <summary>
    /// Pushes the offset part of the memory operand (what LEA computes; <see cref="Operands.EffectiveOffset"/>
    /// with the registers, scale and displacement known): base + index * scale + displacement, wrapped to
    /// the address size.
    /// </summary>
    private void EmitEffectiveOffset(ref Instruction ins)
    {
        Register baseRegister = ins.MemoryBase;
        Register indexRegister = ins.MemoryIndex;
        ulong displacement = ins.MemoryDisplacement64;
        if (baseRegister == Register.RIP)
        {
            // Iced folds RIP-relative operands into an absolute displacement.
            il.Emit(OpCodes.Ldc_I8, (long)displacement);
            return;
        }

        if (baseRegister == Register.EIP)
        {
            il.Emit(OpCodes.Ldc_I8, (long)(uint)displacement);
            return;
        }

        int width = 8;
        il.Emit(OpCodes.Ldc_I8, (long)displacement);
        if (baseRegister != Register.None)
        {
            EmitReadRegister(baseRegister);
            il.Emit(OpCodes.Add);
            width = Operands.RegisterSize(baseRegister);
        }

        if (indexRegister != Register.None)
        {
            EmitReadRegister(indexRegister);
            if (ins.MemoryIndexScale != 1)
            {
                il.Emit(OpCodes.Ldc_I8, (long)ins.MemoryIndexScale);
                il.Emit(OpCodes.Mul);
            }

            il.Emit(OpCodes.Add);
            width = baseRegister == Register.None ? Operands.RegisterSize(indexRegister) : Math.Max(width, Operands.RegisterSize(indexRegister));
        }

        if (width < 8)
        {
            EmitZeroExtend(width);
        }
    }
}
