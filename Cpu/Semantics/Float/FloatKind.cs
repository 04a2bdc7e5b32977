namespace Cpu.Semantics.Float;

/// <summary>What an unpacked floating-point value is.</summary>
public enum FloatKind : byte
{
    Zero,

    /// <summary>A finite non-zero value (normal or denormal, normalised when unpacked).</summary>
    Finite,
    Infinity,
    QuietNaN,
    SignalingNaN,
}
