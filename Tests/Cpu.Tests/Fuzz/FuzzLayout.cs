namespace Cpu.Tests.Fuzz;

/// <summary>Where a fuzz machine keeps its tables, handlers, stacks, code and data (physical = linear: identity paging).</summary>
public static class FuzzLayout
{
    public const int RamSize = 2 * 1024 * 1024;
    public const ulong Gdt = 0x1000;
    public const ushort GdtLimit = 0xFF;
    public const ulong Idt = 0x2000;
    public const ulong Tss = 0x3000;
    public const int IoMapOffset = 0x68;
    public const int IoBitmapBytes = 8192;

    /// <summary>A HLT per vector, 16 bytes apart (the real-mode IVT points here too).</summary>
    public const ulong Handlers = 0x6000;

    /// <summary>A HLT where SYSCALL and SYSENTER enter.</summary>
    public const ulong FastCallEntry = 0x7000;

    public const ulong Pml4 = 0x8000;
    public const ulong Pdpt = 0x9000;
    public const ulong PageDirectory64 = 0xA000;
    public const ulong PageTable64 = 0xB000;
    public const ulong PageDirectory32 = 0xC000;
    public const ulong PageTable32 = 0xD000;

    /// <summary>The code stream: 64 KiB, also the base of the 16-bit code segments.</summary>
    public const ulong Code = 0x10000;

    /// <summary>Random data that pointer registers aim at (also the base of the 16-bit data segments).</summary>
    public const ulong Data = 0x20000;
    public const int DataSize = 0x20000;

    /// <summary>The 16-bit stack segments' base; their SP and the flat modes' user stack point into it.</summary>
    public const ulong StackSegment = 0x40000;
    public const ulong StackPointer = 0x8000;
    public const ulong KernelStack = 0x58000;

    /// <summary>Pages below this hold the system tables and handlers: never user-accessible, never made read-only.</summary>
    public const int FirstUserPage = 0x10;

    public const int RandomDescriptorCount = 16;

    // GDT selectors.
    public const ushort KernelCode64 = 0x08;
    public const ushort KernelData = 0x10;
    public const ushort UserCode32 = 0x18;
    public const ushort UserData = 0x20;
    public const ushort UserCode64 = 0x28;
    public const ushort TssSelector = 0x30;
    public const ushort KernelCode32 = 0x40;
    public const ushort KernelCode16 = 0x48;
    public const ushort UserCode16 = 0x50;
    public const ushort KernelData16 = 0x58;
    public const ushort UserData16 = 0x60;
    public const ushort KernelStack16 = 0x68;
    public const ushort UserStack16 = 0x70;
    public const ushort FirstRandomDescriptor = 0x78;
}
