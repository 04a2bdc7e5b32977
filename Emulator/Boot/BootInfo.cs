namespace Emulator.Boot;

/// <summary>What the multiboot loader placed in memory and where the kernel starts.</summary>
/// <param name="Entry">The physical entry point (EIP).</param>
/// <param name="InfoAddress">The multiboot information structure (EBX).</param>
/// <param name="KernelStart">First byte the kernel image occupies.</param>
/// <param name="KernelEnd">One past the last byte of the kernel image including its BSS.</param>
/// <param name="Modules">Each module's [start, end) in physical memory.</param>
/// <param name="GdtAddress">A flat GDT (selectors 0x10 code, 0x18 data) the loader leaves for the kernel's entry.</param>
public sealed record BootInfo(uint Entry, uint InfoAddress, uint KernelStart, uint KernelEnd, IReadOnlyList<(uint Start, uint End)> Modules, uint GdtAddress);
