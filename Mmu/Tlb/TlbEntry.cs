using System.Runtime.InteropServices;

namespace Mmu.Tlb;

/// <summary>
/// One cached translation of a 4 KiB linear page (large pages are cached as 4 KiB pieces). Each
/// access kind has its own tag: the linear page address with the address-space id in bits 9:0, or
/// with <see cref="SoftTlb.SlowPath"/> added when the access must take the slow path although the
/// translation is known (MMIO, writes to code pages), or <see cref="SoftTlb.Invalid"/> when this kind
/// of access is not allowed through the entry (no right, or D not yet set for writes).
/// 64 bytes: one cache line.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
public struct TlbEntry
{
    public ulong ReadTag;
    public ulong WriteTag;
    public ulong FetchTag;

    /// <summary>Host address of the page minus its linear address (RAM only): host = addend + linear.</summary>
    public nint HostAddend;

    /// <summary>Physical address of the 4 KiB page.</summary>
    public ulong PhysicalPage;

    /// <summary>Linear page address with the address-space id: which translation this is, whatever tags are valid.</summary>
    public ulong Key;

    /// <summary>Size minus one of the page that maps it (0xFFF, or a large page's).</summary>
    public ulong PageMask;

    /// <summary><see cref="SoftTlb"/> entry flags (global, RAM) and the privilege context in bits 9:8.</summary>
    public uint Flags;
}
