using System.Runtime.InteropServices;

namespace Cpu.Decode;

/// <summary>
/// The pre-decoded form of one instruction, next to its Iced <see cref="Iced.Intel.Instruction"/> in a
/// <see cref="DecodedBlock"/>: register numbers, operand size and immediate/displacement extracted once.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct FastOp
{
    public const byte NoRegister = 0xFF;

    public FastKind Kind;

    /// <summary>Operand size in bytes (4 or 8).</summary>
    public byte Size;

    /// <summary>Destination (or base) GPR number.</summary>
    public byte Dst;

    /// <summary>Source (or base) GPR number.</summary>
    public byte Src;

    /// <summary>ALU operation (<see cref="AluKind"/>) or condition code (Iced <c>ConditionCode</c>).</summary>
    public byte Sub;

    /// <summary>Memory base GPR number, or <see cref="NoRegister"/>.</summary>
    public byte Base;

    /// <summary>Memory index GPR number, or <see cref="NoRegister"/>.</summary>
    public byte Index;

    /// <summary>log2 of the index scale.</summary>
    public byte Scale;

    /// <summary>Immediate, displacement (absolute for RIP-relative operands) or branch target.</summary>
    public ulong Imm;

    /// <summary>Second immediate (the value of MOV [mem], imm).</summary>
    public ulong Imm2;

    /// <summary>Address of the next instruction.</summary>
    public ulong NextIp;
}
