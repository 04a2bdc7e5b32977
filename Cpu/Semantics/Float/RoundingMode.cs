namespace Cpu.Semantics.Float;

/// <summary>The rounding-control field of MXCSR and of the x87 control word (Intel SDM Vol. 1, Table 4-8): same encoding in both.</summary>
public enum RoundingMode
{
    Nearest = 0,
    Down = 1,
    Up = 2,
    TowardZero = 3,
}
