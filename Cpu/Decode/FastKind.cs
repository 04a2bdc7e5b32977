namespace Cpu.Decode;

/// <summary>Pre-decoded instruction forms the interpreter runs without looking at Iced's operands again.</summary>
public enum FastKind : byte
{
    /// <summary>Anything else: the generic dispatcher handles it from the Iced instruction.</summary>
    Generic,

    /// <summary>ALU op (<see cref="FastOp.Sub"/>) register, register (32/64-bit).</summary>
    AluRegReg,

    /// <summary>ALU op register, immediate (32/64-bit).</summary>
    AluRegImm,

    /// <summary>MOV register, register (32/64-bit).</summary>
    MovRegReg,

    /// <summary>MOV register, immediate (32/64-bit; the immediate already extended).</summary>
    MovRegImm,

    /// <summary>MOV register, [mem] (64-bit mode, 32/64-bit operand; see <see cref="FastOp.Base"/>).</summary>
    Load,

    /// <summary>MOV [mem], register (64-bit mode, 32/64-bit operand).</summary>
    Store,

    /// <summary>MOV [mem], immediate (64-bit mode, 32/64-bit operand; immediate in <see cref="FastOp.Imm2"/>).</summary>
    StoreImm,

    /// <summary>LEA register, [mem] (64-bit addressing).</summary>
    Lea,

    /// <summary>ALU op register, [mem] (64-bit mode, 32/64-bit operand).</summary>
    AluRegMem,

    /// <summary>MOVZX register, byte [mem] (64-bit mode).</summary>
    LoadZeroExtend8,

    /// <summary>MOVZX register, word [mem] (64-bit mode).</summary>
    LoadZeroExtend16,

    /// <summary>IMUL register, register (32/64-bit).</summary>
    ImulRegReg,

    /// <summary>IMUL register, register, immediate (32/64-bit; immediate in <see cref="FastOp.Imm"/>).</summary>
    ImulRegRegImm,

    /// <summary>SHL/SHR/SAR register, immediate (32/64-bit; <see cref="FastOp.Sub"/> 0 SHL, 1 SHR, 2 SAR).</summary>
    ShiftRegImm,

    /// <summary>SETcc on a low-byte register (condition in <see cref="FastOp.Sub"/>).</summary>
    SetccReg8,

    /// <summary>INC register (32/64-bit).</summary>
    IncReg,

    /// <summary>DEC register (32/64-bit).</summary>
    DecReg,

    /// <summary>Jcc rel: condition in <see cref="FastOp.Sub"/>, target in <see cref="FastOp.Imm"/>.</summary>
    Jcc,

    /// <summary>JMP rel.</summary>
    Jmp,

    /// <summary>CALL rel in 64-bit mode.</summary>
    CallRel64,

    /// <summary>RET in 64-bit mode.</summary>
    Ret64,

    /// <summary>PUSH r64 in 64-bit mode.</summary>
    PushReg64,

    /// <summary>POP r64 in 64-bit mode.</summary>
    PopReg64,
}
