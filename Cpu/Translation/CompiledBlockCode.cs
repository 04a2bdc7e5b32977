namespace Cpu.Translation;

/// <summary>
/// The compiled form of a decoded block's translatable prefix. Returns how many guest instructions it
/// completed: all of them, or fewer when a memory write hit a code page and the block must be left.
/// RIP holds the next instruction's address before each instruction runs, as in the interpreter.
/// </summary>
public delegate int CompiledBlockCode(Processor cpu);
