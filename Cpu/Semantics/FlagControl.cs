using System.Runtime.CompilerServices;
using Cpu.Execution;
using Cpu.State;
using Iced.Intel;
using static Cpu.State.GprIndex;

namespace Cpu.Semantics;

/// <summary>Instructions that set or move flags: CLC STC CMC CLD STD CLI STI LAHF SAHF (Intel SDM Vol. 2).</summary>
public static class FlagControl
{
    private const ulong AhFlags = Rflag.SF | Rflag.ZF | Rflag.AF | Rflag.PF | Rflag.CF;

    public static void Clc(Processor cpu, ref Instruction ins) => cpu.State.SetFlags(Rflag.CF, 0);

    public static void Stc(Processor cpu, ref Instruction ins) => cpu.State.SetFlags(Rflag.CF, Rflag.CF);

    public static void Cmc(Processor cpu, ref Instruction ins) => cpu.State.SetFlags(Rflag.CF, cpu.State.CF ? 0 : Rflag.CF);

    public static void Cld(Processor cpu, ref Instruction ins) => cpu.State.FlagBits &= ~Rflag.DF;

    public static void Std(Processor cpu, ref Instruction ins) => cpu.State.FlagBits |= Rflag.DF;

    public static void Cli(Processor cpu, ref Instruction ins)
    {
        CheckIopl(cpu);
        cpu.State.FlagBits &= ~Rflag.IF;
    }

    public static void Sti(Processor cpu, ref Instruction ins)
    {
        CheckIopl(cpu);
        CpuState s = cpu.State;
        if ((s.FlagBits & Rflag.IF) == 0)
        {
            s.FlagBits |= Rflag.IF;
            cpu.SetInterruptShadow();
        }
    }

    public static void Lahf(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        ulong f = s.Rflags & AhFlags;
        s.Gpr[Rax] = (s.Gpr[Rax] & ~0xFF00UL) | ((f | Rflag.Reserved1) << 8);
    }

    public static void Sahf(Processor cpu, ref Instruction ins) => cpu.State.SetFlags(AhFlags, cpu.State.Gpr[Rax] >> 8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckIopl(Processor cpu)
    {
        CpuState s = cpu.State;
        if ((s.Cr0 & 1) != 0 && s.Cpl > s.Iopl)
        {
            throw CpuException.GeneralProtection();
        }
    }
}
