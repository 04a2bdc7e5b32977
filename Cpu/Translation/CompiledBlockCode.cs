namespace Cpu.Translation;

/// <summary>
/// The compiled form of a decoded block's translatable prefix. Runs it (again and again while it is a loop
/// back to its own start and <paramref name="budget"/> allows another pass) and returns the guest instructions
/// completed. RIP holds the address of the next instruction when it returns; when it stops early because a
/// memory write hit a code page, <see cref="Processor.EndBlock"/>'s flag is set. A guest fault leaves
/// through the exception, with <see cref="Processor.CompiledInFlight"/> saying where.
/// </summary>
public delegate long CompiledBlockCode(Processor cpu, long budget);
