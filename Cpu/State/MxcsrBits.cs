namespace Cpu.State;

/// <summary>The MXCSR fields (Intel SDM Vol. 1, 10.2.3).</summary>
public static class MxcsrBits
{
    /// <summary>Exception flags: invalid, denormal, divide-by-zero, overflow, underflow, precision.</summary>
    public const uint Ie = 1 << 0;
    public const uint De = 1 << 1;
    public const uint Ze = 1 << 2;
    public const uint Oe = 1 << 3;
    public const uint Ue = 1 << 4;
    public const uint Pe = 1 << 5;
    public const uint Flags = 0x3F;

    /// <summary>Denormals are zeros (inputs).</summary>
    public const uint Daz = 1 << 6;

    /// <summary>Exception masks, the flags shifted by this many bits.</summary>
    public const int MaskShift = 7;
    public const uint Masks = Flags << MaskShift;

    public const int RoundingShift = 13;
    public const uint Rounding = 3u << RoundingShift;

    /// <summary>Flush to zero (underflowing results).</summary>
    public const uint Ftz = 1 << 15;

    /// <summary>The writable bits (MXCSR_MASK as FXSAVE reports it): anything else makes LDMXCSR/FXRSTOR/XRSTOR #GP.</summary>
    public const uint Writable = 0xFFFF;

    public const uint Initial = 0x1F80;
}
