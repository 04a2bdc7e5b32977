namespace Cpu.Semantics.Float;

/// <summary>
/// The environment of one floating-point operation and the exception flags it raises: the rounding mode,
/// MXCSR.DAZ (denormal inputs read as zero) and MXCSR.FTZ (tiny results flushed to zero, when underflow
/// is masked), and whether underflow is masked (which changes when it is reported, SDM 4.9.1.5).
/// </summary>
public struct FloatContext
{
    public RoundingMode Rounding;
    public bool DenormalsAreZero;
    public bool FlushToZero;
    public bool UnderflowMasked;

    /// <summary>The flags raised so far (<see cref="FloatFlags"/>).</summary>
    public uint Flags;

    /// <summary>Whether the last rounding increased the magnitude (the x87 reports it in C1, SDM 8.1.3.1).</summary>
    public bool RoundedUp;

    public FloatContext(RoundingMode rounding, bool denormalsAreZero = false, bool flushToZero = false, bool underflowMasked = true)
    {
        Rounding = rounding;
        DenormalsAreZero = denormalsAreZero;
        FlushToZero = flushToZero;
        UnderflowMasked = underflowMasked;
        Flags = 0;
        RoundedUp = false;
    }

    /// <summary>The context MXCSR describes (SDM 10.2.3).</summary>
    public static FloatContext FromMxcsr(uint mxcsr) =>
        new((RoundingMode)((mxcsr >> 13) & 3), (mxcsr & (1 << 6)) != 0, (mxcsr & (1 << 15)) != 0, (mxcsr & (1 << 11)) != 0);
}
