namespace Cpu.Semantics.Float;

/// <summary>
/// A floating-point value taken apart: for finite values, value = Significand / 2^63 * 2^Exponent with
/// bit 63 of <see cref="Significand"/> set (denormals are normalised, <see cref="WasDenormal"/> set).
/// For NaNs, <see cref="Significand"/> holds the fraction left-aligned below bit 63 (bit 62 the quiet bit),
/// so a payload converts between formats by keeping its top bits, as x86 conversions do.
/// </summary>
public readonly record struct Unpacked(FloatKind Kind, bool Sign, int Exponent, ulong Significand, bool WasDenormal = false)
{
    public bool IsNaN => Kind is FloatKind.QuietNaN or FloatKind.SignalingNaN;

    public static Unpacked Zero(bool sign) => new(FloatKind.Zero, sign, 0, 0);

    public static Unpacked Infinity(bool sign) => new(FloatKind.Infinity, sign, 0, 0);

    /// <summary>The default NaN ("real indefinite", SDM 4.8.3.7): negative, quiet, zero payload.</summary>
    public static readonly Unpacked DefaultNaN = new(FloatKind.QuietNaN, true, 0, 1UL << 62);

    /// <summary>The same NaN made quiet.</summary>
    public Unpacked Quieted() => this with { Kind = FloatKind.QuietNaN, Significand = Significand | (1UL << 62) };

    public Unpacked Negated() => this with { Sign = !Sign };
}
