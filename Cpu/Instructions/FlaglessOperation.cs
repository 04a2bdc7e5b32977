namespace Cpu.Instructions;

/// <summary>A one-operand operation that sets no flag (Alu.Not).</summary>
public delegate ulong FlaglessOperation(ulong a, int size);
