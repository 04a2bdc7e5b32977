namespace Cpu.Semantics.Sse;

/// <summary>The floating-point operations of SSE/SSE2 that take one or two lanes and give one.</summary>
public enum SseFloatOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Min,
    Max,
    SquareRoot,
}
