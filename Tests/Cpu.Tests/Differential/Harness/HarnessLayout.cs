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

    /// <summary>The host's DS and ES (16 bits each), restored after a 32-bit run.</summary>
    public const int HostDataSelectorsOffset = 0x190;

    /// <summary>
    /// 32-bit runs: the 64-bit entry that far-returns into the host's 32-bit user code segment, the 32-bit
    /// stub that loads the case's registers there, and the 64-bit code the 32-bit epilogue far-jumps back to.
    /// </summary>
    public const int Entry32Offset = 0x4000;
    public const int CompatibilityStubOffset = 0x4100;
    public const int Return64Offset = 0x4200;

    /// <summary>The top of the small stack the 32-bit stub and epilogue use (not the case's stack: PUSHFD must not touch it).</summary>
    public const int CompatibilityStackTopOffset = 0x4800;

    /// <summary>Linux x86-64's flat 32-bit and 64-bit user code selectors (__USER32_CS, __USER_CS).</summary>
    public const ushort User32CodeSelector = 0x23;
    public const ushort User64CodeSelector = 0x33;

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
