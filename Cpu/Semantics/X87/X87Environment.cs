using Cpu.State;
using Cpu.System;
using Iced.Intel;
using static Cpu.Semantics.X87.X87Fpu;

namespace Cpu.Semantics.X87;

/// <summary>
/// FNSTENV/FSTENV, FLDENV, FNSAVE/FSAVE and FRSTOR (Intel SDM Vol. 1, 8.1.10, Figures 8-9 to 8-12): the
/// environment (control, status and full tag words, instruction and data pointers, opcode) in the
/// 14-byte (16-bit operand size) or 28-byte format, laid out for protected mode or, in real and
/// virtual-8086 mode, with 20/32-bit linear pointers; FNSAVE/FRSTOR add ST(0)-ST(7) (80 bits each, stack
/// order). These are control instructions: they record no pointers.
/// </summary>
public static class X87Environment
{
    private const int RegisterBytes = 10;

    /// <summary>Reserved halves of the 28-byte format's fields are stored as ones (as the host does).</summary>
    private const uint ReservedHigh = 0xFFFF_0000;

    public static void StoreEnvironment(Processor cpu, ref Instruction ins) => StoreEnvironment(cpu, ins, waiting: false);

    public static void StoreEnvironmentWaiting(Processor cpu, ref Instruction ins) => StoreEnvironment(cpu, ins, waiting: true);

    public static void Save(Processor cpu, ref Instruction ins) => Save(cpu, ins, waiting: false);

    public static void SaveWaiting(Processor cpu, ref Instruction ins) => Save(cpu, ins, waiting: true);

    /// <summary>FLDENV: a loaded exception flag whose mask is clear becomes pending (ES).</summary>
    public static void LoadEnvironment(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu);
        Load(cpu, ins, x, Operands.EffectiveAddress(cpu, ins));
    }

    /// <summary>FRSTOR: the environment, then the registers in stack order from the loaded TOP.</summary>
    public static void Restore(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu);
        ulong address = Operands.EffectiveAddress(cpu, ins);
        int size = EnvironmentSize(ins);
        Span<Float80> values = stackalloc Float80[8];
        for (int i = 0; i < 8; i++)
        {
            ulong at = address + (ulong)(size + (RegisterBytes * i));
            values[i] = new Float80(cpu.Memory.Read64(at), cpu.Memory.Read16(at + 8));
        }

        ushort tag = Load(cpu, ins, x, address);
        for (int i = 0; i < 8; i++)
        {
            x.Registers[x.Physical(i)] = values[i];
        }

        SetTags(x, tag);
    }

    /// <summary>FNSTENV/FSTENV: stores the environment, then masks every exception (SDM FSTENV).</summary>
    private static void StoreEnvironment(Processor cpu, in Instruction ins, bool waiting)
    {
        X87State x = Begin(cpu, waiting);
        ulong address = Operands.EffectiveAddress(cpu, ins);
        cpu.Memory.ProbeWrite(address, EnvironmentSize(ins));
        Store(cpu, ins, x, address);
        x.Control |= (ushort)Float.FloatFlags.All;
    }

    /// <summary>FNSAVE/FSAVE: the environment and the registers, then the FPU is initialised (FNINIT).</summary>
    private static void Save(Processor cpu, in Instruction ins, bool waiting)
    {
        X87State x = Begin(cpu, waiting);
        ulong address = Operands.EffectiveAddress(cpu, ins);
        int size = EnvironmentSize(ins);
        cpu.Memory.ProbeWrite(address, size + (8 * RegisterBytes));
        Store(cpu, ins, x, address);
        for (int i = 0; i < 8; i++)
        {
            Float80 v = Get(x, i);
            ulong at = address + (ulong)(size + (RegisterBytes * i));
            cpu.Memory.Write64(at, v.Significand);
            cpu.Memory.Write16(at + 8, v.SignExponent);
        }

        x.Initialize();
    }

    private static int EnvironmentSize(in Instruction ins) =>
        ins.MemorySize is MemorySize.FpuEnv14 or MemorySize.FpuState94 ? 14 : 28;

    /// <summary>Real-address and virtual-8086 mode use the real-mode layout (linear pointers).</summary>
    private static bool RealLayout(Processor cpu) =>
        (cpu.State.Cr0 & ControlRegisters.Cr0Pe) == 0 || (cpu.State.Rflags & Rflag.VM) != 0;

    private static void Store(Processor cpu, in Instruction ins, X87State x, ulong address)
    {
        uint ip = (uint)x.InstructionPointer;
        uint dp = (uint)x.DataPointer;
        bool real = RealLayout(cpu);
        if (real)
        {
            ip += (uint)x.CodeSelector << 4;
            dp += (uint)x.DataSelector << 4;
        }

        uint opcode = (uint)(x.Opcode & 0x7FF);
        if (EnvironmentSize(ins) == 14)
        {
            Span<ushort> words = real
                ? [x.Control, x.Status, x.Tag, (ushort)ip, (ushort)(((ip >> 16) << 12) | opcode), (ushort)dp, (ushort)((dp >> 16) << 12)]
                : [x.Control, x.Status, x.Tag, (ushort)ip, x.CodeSelector, (ushort)dp, x.DataSelector];
            for (int i = 0; i < words.Length; i++)
            {
                cpu.Memory.Write16(address + (ulong)(2 * i), words[i]);
            }

            return;
        }

        Span<uint> dwords = real
            ? [ReservedHigh | x.Control, ReservedHigh | x.Status, ReservedHigh | x.Tag, ReservedHigh | (ip & 0xFFFF), ((ip >> 16) << 12) | opcode, ReservedHigh | (dp & 0xFFFF), (dp >> 16) << 12]
            : [ReservedHigh | x.Control, ReservedHigh | x.Status, ReservedHigh | x.Tag, ip, x.CodeSelector | (opcode << 16), dp, ReservedHigh | x.DataSelector];
        for (int i = 0; i < dwords.Length; i++)
        {
            cpu.Memory.Write32(address + (ulong)(4 * i), dwords[i]);
        }
    }

    /// <summary>Loads the environment; returns the loaded tag word (applied after FRSTOR's registers).</summary>
    private static ushort Load(Processor cpu, in Instruction ins, X87State x, ulong address)
    {
        bool small = EnvironmentSize(ins) == 14;
        int step = small ? 2 : 4;
        Span<uint> f = stackalloc uint[7];
        for (int i = 0; i < 7; i++)
        {
            f[i] = small ? cpu.Memory.Read16(address + (ulong)(step * i)) : cpu.Memory.Read32(address + (ulong)(step * i));
        }

        x.Control = (ushort)f[0];
        x.Status = (ushort)f[1];
        ushort tag = (ushort)f[2];
        if (RealLayout(cpu))
        {
            int high = small ? 4 : 16;
            x.InstructionPointer = (f[3] & 0xFFFF) | ((f[4] >> 12) << 16) & ((1UL << (16 + high)) - 1);
            x.Opcode = (ushort)(f[4] & 0x7FF);
            x.DataPointer = (f[5] & 0xFFFF) | ((f[6] >> 12) << 16) & ((1UL << (16 + high)) - 1);
            x.CodeSelector = 0;
            x.DataSelector = 0;
        }
        else
        {
            x.InstructionPointer = small ? (ushort)f[3] : f[3];
            x.CodeSelector = (ushort)f[4];
            x.Opcode = small ? x.Opcode : (ushort)((f[4] >> 16) & 0x7FF);
            x.DataPointer = small ? (ushort)f[5] : f[5];
            x.DataSelector = (ushort)f[6];
        }

        SetTags(x, tag);
        UpdateSummary(x);
        return tag;
    }

    /// <summary>A loaded tag only says empty or not: the others are recomputed from the registers (SDM 8.1.7).</summary>
    private static void SetTags(X87State x, ushort tag)
    {
        for (int i = 0; i < 8; i++)
        {
            bool empty = ((tag >> (2 * i)) & 3) == X87State.TagEmpty;
            x.SetTag(i, empty ? X87State.TagEmpty : X87State.Classify(x.Registers[i]));
        }
    }
}
