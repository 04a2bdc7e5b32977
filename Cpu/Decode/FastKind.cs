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

    // The common ALU operations each have their own kinds, so the dispatcher branches once per instruction.

    /// <summary>ADD register, register (32/64-bit).</summary>
    AddRegReg,

    /// <summary>SUB register, register (32/64-bit).</summary>
    SubRegReg,

    /// <summary>AND register, register (32/64-bit).</summary>
    AndRegReg,

    /// <summary>OR register, register (32/64-bit).</summary>
    OrRegReg,

    /// <summary>XOR register, register (32/64-bit).</summary>
    XorRegReg,

    /// <summary>CMP register, register (32/64-bit).</summary>
    CmpRegReg,

    /// <summary>TEST register, register (32/64-bit).</summary>
    TestRegReg,

    /// <summary>ADD register, immediate (32/64-bit).</summary>
    AddRegImm,

    /// <summary>SUB register, immediate (32/64-bit).</summary>
    SubRegImm,

    /// <summary>AND register, immediate (32/64-bit).</summary>
    AndRegImm,

    /// <summary>OR register, immediate (32/64-bit).</summary>
    OrRegImm,

    /// <summary>XOR register, immediate (32/64-bit).</summary>
    XorRegImm,

    /// <summary>CMP register, immediate (32/64-bit).</summary>
    CmpRegImm,

    /// <summary>TEST register, immediate (32/64-bit).</summary>
    TestRegImm,

    /// <summary>ADD register, [mem] (64-bit mode, 32/64-bit operand).</summary>
    AddRegMem,

    /// <summary>SUB register, [mem] (64-bit mode, 32/64-bit operand).</summary>
    SubRegMem,

    /// <summary>CMP register, [mem] (64-bit mode, 32/64-bit operand).</summary>
    CmpRegMem,

    // A flag-setting instruction followed by a Jcc, run with one dispatch (the pair is still two
    // instructions: the Jcc keeps its own slot, used alone when the budget ends between the two).
    // The condition is in Sub and the Jcc's target in Imm2.

    /// <summary>CMP register, register; Jcc.</summary>
    CmpRegRegJcc,

    /// <summary>CMP register, immediate; Jcc.</summary>
    CmpRegImmJcc,

    /// <summary>TEST register, register; Jcc.</summary>
    TestRegRegJcc,

    /// <summary>DEC register; Jcc.</summary>
    DecRegJcc,
}
