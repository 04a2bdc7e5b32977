using Iced.Intel;
using static Cpu.State.GprIndex;

namespace Cpu.Semantics;

/// <summary>CBW/CWDE/CDQE (sign-extend the accumulator) and CWD/CDQ/CQO (into rDX).</summary>
public static class SignExtension
{
    public static void Cbw(Processor cpu, ref Instruction ins)
    {
        ulong[] gpr = cpu.State.Gpr;
        gpr[Rax] = (gpr[Rax] & ~0xFFFFUL) | (ulong)(ushort)(short)(sbyte)gpr[Rax];
    }

    public static void Cwde(Processor cpu, ref Instruction ins) => cpu.State.Gpr[Rax] = (uint)(short)cpu.State.Gpr[Rax];

    public static void Cdqe(Processor cpu, ref Instruction ins) => cpu.State.Gpr[Rax] = (ulong)(int)cpu.State.Gpr[Rax];

    public static void Cwd(Processor cpu, ref Instruction ins)
    {
        ulong[] gpr = cpu.State.Gpr;
        gpr[Rdx] = (gpr[Rdx] & ~0xFFFFUL) | ((gpr[Rax] & 0x8000) != 0 ? 0xFFFFUL : 0);
    }

    public static void Cdq(Processor cpu, ref Instruction ins)
    {
        ulong[] gpr = cpu.State.Gpr;
        gpr[Rdx] = (gpr[Rax] & 0x8000_0000) != 0 ? 0xFFFF_FFFFUL : 0;
    }

    public static void Cqo(Processor cpu, ref Instruction ins)
    {
        ulong[] gpr = cpu.State.Gpr;
        gpr[Rdx] = (long)gpr[Rax] < 0 ? ulong.MaxValue : 0;
    }
}
