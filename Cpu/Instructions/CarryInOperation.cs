using Cpu.State;

namespace Cpu.Instructions;

/// <summary>INC or DEC with the carry they keep passed in (when the JIT knows it).</summary>
public delegate ulong CarryInOperation(CpuState s, ulong a, int size, bool carry);
