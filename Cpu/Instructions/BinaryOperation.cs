using Cpu.State;

namespace Cpu.Instructions;

/// <summary>A flag-setting two-operand operation (Alu.Add, Shifts.Shl...): the masked result.</summary>
public delegate ulong BinaryOperation(CpuState s, ulong a, ulong b, int size);
