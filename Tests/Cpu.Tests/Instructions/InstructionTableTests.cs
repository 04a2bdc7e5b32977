using Cpu.Instructions;
using Cpu.Translation;
using Iced.Intel;

namespace Cpu.Tests.Instructions;

/// <summary>The instruction table: what it declares per Iced code, and the facts it takes from Iced.</summary>
public class InstructionTableTests
{
    [Fact]
    public void EveryDeclaredSemanticMethodIsStatic()
    {
        Assert.NotEmpty(InstructionTable.All);
        Assert.All(InstructionTable.All, d => Assert.True(d.Semantics.Method.IsStatic, d.Code.ToString()));
    }

    [Theory]
    [InlineData(Code.Mov_r64_rm64, false)]
    [InlineData(Code.Mov_Sreg_rm16, true)]
    [InlineData(Code.Mov_cr_r64, true)]
    [InlineData(Code.Mov_rm16_Sreg, false)]
    [InlineData(Code.Pop_r64, false)]
    [InlineData(Code.Popq_FS, true)]
    [InlineData(Code.Hlt, true)]
    [InlineData(Code.Cpuid, true)]
    [InlineData(Code.Cli, true)]
    [InlineData(Code.Add_rm32_r32, false)]
    public void BlockEndsAreDeclaredPerOperandForm(Code code, bool endsBlock) =>
        Assert.Equal(endsBlock, InstructionTable.Find(code)!.Has(InstructionTraits.EndsBlock));

    [Fact]
    public void SseFormsOfStringMnemonicsAreNotStringInstructions()
    {
        Assert.NotNull(InstructionTable.Find(Code.Movsd_m32_m32));
        Assert.NotNull(InstructionTable.Find(Code.Cmpsd_m32_m32));
        Assert.Equal(nameof(Cpu.Semantics.Sse.SseMoves), InstructionTable.Find(Code.Movsd_xmm_xmmm64)!.Semantics.Method.DeclaringType!.Name);
        Assert.Equal(nameof(Cpu.Semantics.Sse.SseArithmetic), InstructionTable.Find(Code.Cmpsd_xmm_xmmm64_imm8)!.Semantics.Method.DeclaringType!.Name);
        Assert.Null(InstructionTable.Find(Code.Movsd_m32_m32)!.Declaration.Guard);
    }

    [Fact]
    public void FlagEffectsComeFromIced()
    {
        InstructionDefinition adc = InstructionTable.Find(Code.Adc_rm64_r64)!;
        Assert.Equal(RflagsBits.CF, adc.FlagsRead);
        InstructionDefinition inc = InstructionTable.Find(Code.Inc_rm32)!;
        Assert.Equal(RflagsBits.None, inc.FlagsRead);
        Assert.Equal(RflagsBits.None, inc.FlagsWritten & RflagsBits.CF);
        Assert.Equal(RflagsBits.None, InstructionTable.Find(Code.Mov_r64_rm64)!.FlagsWritten);
    }

    [Fact]
    public void FarTransfersAreCalledAndEndTheBlockAndNearOnesCompiled()
    {
        foreach (Code far in (Code[])[Code.Jmp_m1664, Code.Call_ptr1632, Code.Syscall, Code.Sysretq, Code.Iretq, Code.Swapgs])
        {
            InstructionDefinition d = InstructionTable.Find(far)!;
            Assert.False(d.Has(InstructionTraits.Interpreted), $"{far}");
            Assert.True(d.Has(InstructionTraits.EndsBlock), $"{far}");
        }

        Assert.Equal(InstructionForm.Jump, InstructionTable.Find(Code.Jmp_rel32_64)!.Declaration.Form);
        Assert.Equal(InstructionForm.CallSemantics, InstructionTable.Find(Code.Jmp_rm64)!.Declaration.Form);
    }
}
