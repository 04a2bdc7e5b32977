using Cpu.Tests.Differential.Harness;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Differential;

/// <summary>
/// LAHF, SAHF, CLC, STC, CMC, CLD, STD, and PUSHF/POPF. The host runs at CPL 3 with IF set and the
/// emulator at CPL 0 with IF clear, so IF and IOPL in pushed images are not compared, and POPF is only
/// given images with IF, TF, AC and NT clear (the bits whose effect differs by privilege or would trap).
/// </summary>
public class FlagControlTests
{
    private const ulong PrivilegeBits = FlagBits.IF | (3UL << 12);

    [Theory]
    [InlineData(Mnemonic.Lahf)]
    [InlineData(Mnemonic.Sahf)]
    [InlineData(Mnemonic.Clc)]
    [InlineData(Mnemonic.Stc)]
    [InlineData(Mnemonic.Cmc)]
    [InlineData(Mnemonic.Cld)]
    [InlineData(Mnemonic.Std)]
    public void MatchesTheHost(Mnemonic mnemonic) => DifferentialRunner.Check(FormGenerator.Cases(FormSemantics.Plain, mnemonic));

    /// <summary>PUSHF images: popped into a register (privilege bits masked) and wiped from the stack.</summary>
    [Fact]
    public void PushfMatchesTheHost()
    {
        DifferentialRunner.Check(SnippetCases.Generate("PUSHFQ", (b, _) =>
        {
            b.Undefine(Register.RAX, PrivilegeBits);
            return a =>
            {
                a.pushfq();
                a.pop(rax);
                a.mov(__qword_ptr[rsp - 8], rcx);
            };
        }).Concat(SnippetCases.Generate("PUSHF (16-bit)", (b, _) =>
        {
            b.Undefine(Register.RAX, PrivilegeBits);
            return a =>
            {
                a.pushf();
                a.pop(ax);
                a.mov(__word_ptr[rsp - 2], cx);
            };
        })));
    }

    [Fact]
    public void PopfMatchesTheHost()
    {
        DifferentialRunner.Check(SnippetCases.Generate("POPFQ", (b, _) =>
        {
            b.SetReg(Register.RAX, OperandValues.Flags(b.Rng) | (OperandValues.Random64(b.Rng) & ~0x3F_7FFFUL));
            return a =>
            {
                a.push(rax);
                a.popfq();
            };
        }).Concat(SnippetCases.Generate("POPF (16-bit)", (b, _) =>
        {
            b.SetReg(Register.AX, OperandValues.Flags(b.Rng));
            return a =>
            {
                a.push(ax);
                a.popf();
            };
        })));
    }
}
