using Iced.Intel;

namespace Cpu.Instructions;

/// <summary>Predicates over Iced's operand forms, for declarations that split a mnemonic's codes.</summary>
public static class OperandForms
{
    /// <summary>True when operand <paramref name="op"/> is a segment register.</summary>
    public static bool IsSegment(OpCodeInfo info, int op) =>
        op < info.OpCount && info.GetOpKind(op) is OpCodeOperandKind.seg_reg or OpCodeOperandKind.es or OpCodeOperandKind.cs
            or OpCodeOperandKind.ss or OpCodeOperandKind.ds or OpCodeOperandKind.fs or OpCodeOperandKind.gs;

    /// <summary>True when an operand is a control, debug or test register.</summary>
    public static bool NamesControlOrDebug(OpCodeInfo info) =>
        Enumerable.Range(0, info.OpCount).Any(op => info.GetOpKind(op) is OpCodeOperandKind.cr_reg or OpCodeOperandKind.dr_reg or OpCodeOperandKind.tr_reg);

    /// <summary>True for the string forms (operands addressed by rSI/rDI), not the SSE forms of the same mnemonic.</summary>
    public static bool IsString(OpCodeInfo info) =>
        Enumerable.Range(0, info.OpCount).Any(op => info.GetOpKind(op) is OpCodeOperandKind.seg_rSI or OpCodeOperandKind.es_rDI);

    /// <summary>True for a direct near branch (rel8/rel16/rel32).</summary>
    public static bool IsNearRelative(OpCodeInfo info) =>
        info.OpCount == 1 && info.GetOpKind(0) is OpCodeOperandKind.br16_1 or OpCodeOperandKind.br32_1 or OpCodeOperandKind.br64_1
            or OpCodeOperandKind.br16_2 or OpCodeOperandKind.br32_4 or OpCodeOperandKind.br64_4;

    /// <summary>True for a far transfer (ptr16:16/32 or m16:16/32/64).</summary>
    public static bool IsFar(OpCodeInfo info) =>
        // A near indirect target is r/m (rNN_or_mem); only the far one is memory alone.
        info.OpCount == 1 && info.GetOpKind(0) is OpCodeOperandKind.farbr2_2 or OpCodeOperandKind.farbr4_2 or OpCodeOperandKind.mem;
}
