using Mmu.Io;

namespace Mmu.Physical;

/// <summary>A physical range owned by a device.</summary>
public sealed record MmioRange(ulong Start, ulong Length, IMmioDevice Device);
