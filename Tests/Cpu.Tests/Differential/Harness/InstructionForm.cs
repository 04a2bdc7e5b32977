using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>One encoding of an instruction (an Iced <see cref="Code"/>) with its r/m operand as a register or as memory.</summary>
public sealed record InstructionForm(Code Code, bool MemoryForm)
{
    public OpCodeInfo Info => Code.ToOpCode();

    public string Name => name ??= MakeName();

    private string? name;

    private string MakeName()
    {
        string text = Info.ToInstructionString();
        bool hasRm = false;
        for (int i = 0; i < Info.OpCount; i++)
        {
            hasRm |= IsRegOrMem(Info.GetOpKind(i));
        }

        return hasRm ? $"{text} ({(MemoryForm ? "mem" : "reg")})" : text;
    }

    public override string ToString() => Name;

    /// <summary>Every legacy or VEX (general-register) encoding of the mnemonics valid in 64-bit mode whose operands the generator understands, in both r/m variants.</summary>
    public static IEnumerable<InstructionForm> Of(params Mnemonic[] mnemonics)
    {
        var wanted = new HashSet<Mnemonic>(mnemonics);
        foreach (Code code in Enum.GetValues<Code>())
        {
            if (!wanted.Contains(code.Mnemonic()))
            {
                continue;
            }

            OpCodeInfo info = code.ToOpCode();
            if (info.Encoding is not (EncodingKind.Legacy or EncodingKind.VEX) || !info.Mode64 || !info.IsInstruction)
            {
                continue;
            }

            bool supported = true;
            bool hasRm = false;
            bool memOnly = false;
            for (int i = 0; i < info.OpCount; i++)
            {
                OpCodeOperandKind k = info.GetOpKind(i);
                supported &= Supported(k);
                hasRm |= IsRegOrMem(k);
                memOnly |= k is OpCodeOperandKind.mem or OpCodeOperandKind.mem_offs;
            }

            if (!supported)
            {
                continue;
            }

            if (memOnly)
            {
                yield return new InstructionForm(code, true);
                continue;
            }

            yield return new InstructionForm(code, false);
            if (hasRm)
            {
                yield return new InstructionForm(code, true);
            }
        }
    }

    public static bool IsRegOrMem(OpCodeOperandKind k) =>
        k is OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem;

    public static bool Supported(OpCodeOperandKind k) => k switch
    {
        OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem => true,
        OpCodeOperandKind.mem or OpCodeOperandKind.mem_offs => true,
        OpCodeOperandKind.r8_reg or OpCodeOperandKind.r16_reg or OpCodeOperandKind.r32_reg or OpCodeOperandKind.r64_reg => true,
        OpCodeOperandKind.r8_opcode or OpCodeOperandKind.r16_opcode or OpCodeOperandKind.r32_opcode or OpCodeOperandKind.r64_opcode => true,
        OpCodeOperandKind.r32_vvvv or OpCodeOperandKind.r64_vvvv => true,
        OpCodeOperandKind.imm8 or OpCodeOperandKind.imm16 or OpCodeOperandKind.imm32 or OpCodeOperandKind.imm64 => true,
        OpCodeOperandKind.imm8sex16 or OpCodeOperandKind.imm8sex32 or OpCodeOperandKind.imm8sex64 or OpCodeOperandKind.imm32sex64 => true,
        OpCodeOperandKind.imm8_const_1 => true,
        OpCodeOperandKind.al or OpCodeOperandKind.ax or OpCodeOperandKind.eax or OpCodeOperandKind.rax or OpCodeOperandKind.cl => true,
        _ => false,
    };
}
