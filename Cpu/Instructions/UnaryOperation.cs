using Cpu.State;

namespace Cpu.Instructions;

/// <summary>A flag-setting one-operand operation (Alu.Neg, Alu.Inc...): the masked result.</summary>
public delegate ulong UnaryOperation(CpuState s, ulong a, int size);
