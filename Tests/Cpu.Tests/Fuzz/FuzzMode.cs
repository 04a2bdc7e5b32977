namespace Cpu.Tests.Fuzz;

/// <summary>The processor modes a fuzz stream runs in (virtual-8086 mode is not implemented).</summary>
public enum FuzzMode
{
    Real,
    Protected16,
    Protected32,
    Compatibility,
    Long,
}
