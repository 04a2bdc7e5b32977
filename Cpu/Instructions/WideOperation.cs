using Cpu.State;

namespace Cpu.Instructions;

/// <summary>MUL/IMUL/DIV/IDIV r/m: RDX:RAX in the state.</summary>
public delegate void WideOperation(CpuState s, ulong src, int size);
