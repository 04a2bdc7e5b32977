namespace Cpu.Semantics.Float;

/// <summary>The outcome of comparing two floating-point values.</summary>
public enum FloatOrder
{
    Less,
    Equal,
    Greater,
    Unordered,
}
