namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// The memory region both sides share by address: the native side maps it at <see cref="Base"/> in this
/// process and the emulator places guest RAM so that the same physical (= linear, paging off) addresses
/// exist. Code, data and stack therefore sit at identical addresses on both sides, so pushed return
/// addresses, LEA results and pointers compare equal without any translation.
/// </summary>
public static class HarnessLayout
{
    public const int RegionSize = 0x10000;

    public const int PrologueOffset = 0x0;
    public const int SnippetOffset = 0x100;
    public const int CodeEnd = 0x1000;

    public const int ControlOffset = 0x1000;
    public const int InGprOffset = 0x00;
    public const int InFlagsOffset = 0x80;
    public const int OutGprOffset = 0x100;
    public const int OutFlagsOffset = 0x180;
    public const int HostRspOffset = 0x188;

    /// <summary>FXSAVE64 images (16-byte aligned): the case's x87/SSE state in, the state after the snippet, the host's own.</summary>
    public const int FpuInOffset = 0x3000;
    public const int FpuOutOffset = 0x3200;
    public const int FpuHostOffset = 0x3400;
    public const int FpuImageSize = 512;

    public const int DataOffset = 0x2000;
    public const int DataSize = 0x1000;

    /// <summary>The snippet's stack: RSP starts here, with room below for pushes (and host signal frames) and above for pops.</summary>
    public const int InitialRspOffset = 0xA000;

    /// <summary>The part of the stack that is compared: a window around the initial RSP.</summary>
    public const int StackWindowOffset = 0x9800;
    public const int StackWindowSize = 0x1000;

    /// <summary>Addresses tried for the region, all below 4 GiB (the emulator with paging off masks to 32 bits).</summary>
    public static readonly ulong[] CandidateBases = [0x0020_0000, 0x0040_0000, 0x0100_0000, 0x0400_0000, 0x1000_0000, 0x2000_0000];

    /// <summary>The base the native side obtained (0 before <see cref="NativeCpu"/> was created).</summary>
    public static ulong Base { get; internal set; }

    public static ulong SnippetAddress => Base + SnippetOffset;

    public static ulong DataAddress => Base + DataOffset;

    public static ulong InitialRsp => Base + InitialRspOffset;

    public static ulong StackWindowAddress => Base + StackWindowOffset;

    /// <summary>Guest RAM must reach past the region; RAM is allocated lazily so its size costs little.</summary>
    public static ulong GuestRamSize => (Base + RegionSize + 0xFFFFF) & ~0xFFFFFUL;
}
