using Cpu.Execution;
using Iced.Intel;

namespace Cpu.Semantics;

/// <summary>What an undeclared instruction does: #UD, counted by mnemonic (<c>--stats</c>).</summary>
public static class Undefined
{
    public static void Execute(Processor cpu, ref Instruction ins)
    {
        cpu.Counters.RecordUndefined(ins.Mnemonic);
        throw CpuException.InvalidOpcode();
    }
}
