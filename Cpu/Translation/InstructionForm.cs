namespace Cpu.Translation;

/// <summary>
/// How the JIT emits an instruction: a form of its own (inline IL for the common integer forms), or
/// <see cref="CallSemantics"/>, the default every declared instruction gets: registers written back, its
/// semantic method called with the decoded instruction, registers reloaded. <see cref="None"/> ends the
/// compiled prefix.
/// </summary>
public enum InstructionForm
{
    None,
    Nop,
    Mov,
    Binary,
    Unary,
    Shift,
    MoveZeroExtend,
    MoveSignExtend,
    Lea,
    Multiply,
    WideMultiplyDivide,
    Push,
    Pop,
    SetCondition,
    ConditionalMove,
    PortIn,
    ConditionalJump,
    Jump,
    Call,
    Return,
    CallSemantics,
}
