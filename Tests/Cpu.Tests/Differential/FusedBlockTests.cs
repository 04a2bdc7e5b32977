using Cpu.Tests.Differential.Harness;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Differential;

/// <summary>
/// Flag producers and their consumers in one block (CMP/SUB/TEST/AND/ADD/INC/DEC with Jcc, SETcc, CMOVcc;
/// ADD+ADC and SUB+SBB chains; DEC+JNZ loops; flags overwritten before they are read), at every operand
/// size. Run compiled (Cpu.Tests.Compiled), these check the JIT's fused conditions and dead-flag
/// elimination against the host CPU, not only against the interpreter.
/// </summary>
public class FusedBlockTests
{
    private const int CasesPerForm = 12;

    private static readonly int[] Sizes = [8, 16, 32, 64];

    private static readonly Mnemonic[] Producers = [Mnemonic.Cmp, Mnemonic.Sub, Mnemonic.Test, Mnemonic.And, Mnemonic.Add];

    [Fact]
    public void ProducerThenJccMatchesTheHost() =>
        DifferentialRunner.Check(
            from producer in Producers
            from size in Sizes
            from cond in ControlFlowTests.Conditions
            from c in Generate($"{producer} r{size} + {cond.Name}", size, a =>
            {
                a.AddInstruction(Binary(producer, size));
                ControlFlowTests.TwoWay(a, true, l => cond.Jump(a, l));
            })
            select c);

    [Fact]
    public void ProducerThenSetccAndCmovccMatchTheHost() =>
        DifferentialRunner.Check(
            from producer in Producers
            from size in Sizes
            from cc in Enumerable.Range(0, ConditionalTests.Setccs.Length)
            from c in Generate($"{producer} r{size} + {ConditionalTests.Setccs[cc]} + {ConditionalTests.Cmovs[cc]}", size, a =>
            {
                a.AddInstruction(Binary(producer, size));
                a.AddInstruction(Instruction.Create(CodeOf(ConditionalTests.Setccs[cc], OpCodeOperandKind.r8_or_mem), Register.R12L));
                a.AddInstruction(Instruction.Create(CodeOf(ConditionalTests.Cmovs[cc], OpCodeOperandKind.r64_reg), Register.R13, Register.R14));
            })
            select c);

    [Fact]
    public void IncrementAndDecrementThenConditionsMatchTheHost() =>
        DifferentialRunner.Check(
            from unary in (Mnemonic[])[Mnemonic.Inc, Mnemonic.Dec, Mnemonic.Neg]
            from size in Sizes
            from cond in ControlFlowTests.Conditions
            from c in Generate($"{unary} r{size} + {cond.Name}", size, a =>
            {
                // The carry INC and DEC keep comes from the CMP before them, in the same block.
                a.cmp(r14, r13);
                a.AddInstruction(Instruction.Create(CodeOf(unary, size switch
                {
                    8 => OpCodeOperandKind.r8_or_mem,
                    16 => OpCodeOperandKind.r16_or_mem,
                    32 => OpCodeOperandKind.r32_or_mem,
                    _ => OpCodeOperandKind.r64_or_mem,
                }), Reg(Register.R8, size)));
                ControlFlowTests.TwoWay(a, true, l => cond.Jump(a, l));
            })
            select c);

    [Fact]
    public void CarryChainsMatchTheHost() =>
        DifferentialRunner.Check(
            from pair in (Mnemonic[][])[[Mnemonic.Add, Mnemonic.Adc], [Mnemonic.Sub, Mnemonic.Sbb], [Mnemonic.Cmp, Mnemonic.Adc]]
            from size in Sizes
            from c in Generate($"{pair[0]} + {pair[1]} r{size}", size, a =>
            {
                a.AddInstruction(Binary(pair[0], size));
                a.AddInstruction(Instruction.Create(BinaryCode(pair[1], size), Reg(Register.R10, size), Reg(Register.R11, size)));
                a.setc(r12b);
            })
            select c);

    [Fact]
    public void DeadFlagsMatchTheHost() =>
        DifferentialRunner.Check(
            from size in Sizes
            from cond in ControlFlowTests.Conditions
            from c in Generate($"ADD, INC, IMUL, SUB r{size} + {cond.Name}", size, a =>
            {
                // Only the SUB's flags are read: the others are dead and left out of compiled code.
                a.AddInstruction(Binary(Mnemonic.Add, size));
                a.inc(r13);
                a.imul(r14, r13, 3);
                a.AddInstruction(Instruction.Create(BinaryCode(Mnemonic.Sub, size), Reg(Register.R10, size), Reg(Register.R11, size)));
                ControlFlowTests.TwoWay(a, true, l => cond.Jump(a, l));
            })
            select c);

    [Fact]
    public void ConstantShiftsWithDeadFlagsMatchTheHost() =>
        DifferentialRunner.Check(
            from shift in (Mnemonic[])[Mnemonic.Shl, Mnemonic.Shr, Mnemonic.Sar]
            from size in Sizes
            from count in (int[])[1, 3, size - 1, size == 64 ? 63 : 20, 31]
            from c in Generate($"{shift} r{size}, {count} (dead flags) + XOR; {shift} AH + SETcc", size, a =>
            {
                // The first shift's flags are overwritten by the XOR (compiled as one IL shift), the one of AH
                // is read by SETcc (the shared operation); count 1 uses the D0-D3 encoding. A count that masks to
                // more than the operand's width (20 and 31 for 8- and 16-bit operands) shifts everything out.
                a.AddInstruction(ShiftBy(shift, Reg(Register.R8, size), count));
                a.xor(r10, r11);
                a.AddInstruction(ShiftBy(shift, Register.AH, count));
                a.setb(r12b);
                a.sets(r13b);
                a.add(r14, r15); // defines AF, which the shifts leave undefined (the host sets it)
            })
            select c);

    /// <summary>SHL/SHR/SAR of <paramref name="register"/> by the constant <paramref name="count"/> (the "by 1" encoding for 1).</summary>
    private static Instruction ShiftBy(Mnemonic shift, Register register, int count)
    {
        int size = register.GetSize() * 8;
        string name = $"{shift}_rm{size}_{(count == 1 ? "1" : "imm8")}";
        Code code = Enum.Parse<Code>(name);
        return Instruction.Create(code, register, count);
    }

    [Fact]
    public void DecrementLoopMatchesTheHost() =>
        DifferentialRunner.Check(SnippetCases.Generate("DEC + JNZ loop", (b, _) =>
        {
            b.SetReg(Register.RCX, (ulong)b.Rng.Next(1, 40));
            return a =>
            {
                Label top = a.CreateLabel();
                a.Label(ref top);
                a.add(rax, rcx);
                a.xor(rdx, rax);
                a.dec(ecx);
                a.jnz(top);
            };
        }, CasesPerForm));

    private static IEnumerable<DiffCase> Generate(string form, int size, Action<Assembler> body) =>
        SnippetCases.Generate(form, (b, i) =>
        {
            // Operands of the producer in R8/R9 (equal in a quarter of the cases), the consumer's in R10-R14.
            ulong left = OperandValues.Sequence(b.Rng, size, i);
            b.SetReg(Register.R8, (b.GetReg(Register.R8) & ~OperandValues.Mask(size)) | left);
            ulong right = b.Rng.Next(4) == 0 ? left : OperandValues.Next(b.Rng, size);
            b.SetReg(Register.R9, (b.GetReg(Register.R9) & ~OperandValues.Mask(size)) | right);
            b.SetReg(Register.R10, (b.GetReg(Register.R10) & ~OperandValues.Mask(size)) | OperandValues.Next(b.Rng, size));
            b.SetReg(Register.R11, (b.GetReg(Register.R11) & ~OperandValues.Mask(size)) | OperandValues.Next(b.Rng, size));
            return body;
        }, CasesPerForm);

    private static Instruction Binary(Mnemonic m, int size) =>
        Instruction.Create(BinaryCode(m, size), Reg(Register.R8, size), Reg(Register.R9, size));

    private static Code BinaryCode(Mnemonic m, int size) => CodeOf(m, size switch
    {
        8 => OpCodeOperandKind.r8_or_mem,
        16 => OpCodeOperandKind.r16_or_mem,
        32 => OpCodeOperandKind.r32_or_mem,
        _ => OpCodeOperandKind.r64_or_mem,
    }, secondIsRegister: true);

    /// <summary>The legacy code of <paramref name="m"/> whose first operand is <paramref name="first"/>.</summary>
    private static Code CodeOf(Mnemonic m, OpCodeOperandKind first, bool secondIsRegister = false) =>
        Enum.GetValues<Code>().First(c => c.Mnemonic() == m && c.ToOpCode() is { Encoding: EncodingKind.Legacy } op &&
            op.OpCount >= 1 && op.GetOpKind(0) == first &&
            (!secondIsRegister || (op.OpCount == 2 && op.GetOpKind(1) is OpCodeOperandKind.r8_reg or OpCodeOperandKind.r16_reg
                or OpCodeOperandKind.r32_reg or OpCodeOperandKind.r64_reg)) &&
            (op.OpCount == 1 || secondIsRegister || op.GetOpKind(1) is OpCodeOperandKind.r64_or_mem));

    private static Register Reg(Register full, int size) => size switch
    {
        8 => full - Register.R8 + Register.R8L,
        16 => full - Register.R8 + Register.R8W,
        32 => full - Register.R8 + Register.R8D,
        _ => full,
    };
}
