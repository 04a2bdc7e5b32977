namespace Cpu.Translation;

/// <summary>The operand forms the translation front end knows how to emit; <see cref="None"/> ends the compiled prefix.</summary>
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
}
