using Cpu.Tests.Differential.Harness;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Differential;

/// <summary>PUSH/POP (register, immediate, memory incl. RSP-based addressing, 16- and 64-bit), PUSH/POP RSP, ENTER, LEAVE.</summary>
public class StackTests
{
    [Theory]
    [InlineData(Mnemonic.Push)]
    [InlineData(Mnemonic.Pop)]
    public void MatchesTheHost(Mnemonic mnemonic) => DifferentialRunner.Check(FormGenerator.Cases(FormSemantics.Plain, mnemonic));

    /// <summary>PUSH RSP pushes the old value; POP RSP loads the popped value; PUSH [RSP] reads before the decrement.</summary>
    [Fact]
    public void StackPointerOperandsMatchTheHost()
    {
        DifferentialRunner.Check(
            SnippetCases.Generate("PUSH RSP", (_, _) => a =>
            {
                a.push(rsp);
                a.pop(rax);
            })
            .Concat(SnippetCases.Generate("POP RSP", (b, _) =>
            {
                b.Write(HarnessLayout.InitialRsp, 8, HarnessLayout.InitialRsp + (ulong)(b.Rng.Next(-64, 64) * 8));
                return a => a.pop(rsp);
            }))
            .Concat(SnippetCases.Generate("PUSH [RSP+disp]", (b, _) =>
            {
                int disp = b.Rng.Next(0, 32) * 8;
                return a =>
                {
                    a.push(__qword_ptr[rsp + disp]);
                    a.pop(rdx);
                };
            }))
            .Concat(SnippetCases.Generate("POP [RSP+disp]", (b, _) =>
            {
                int disp = b.Rng.Next(-16, 32) * 8;
                return a => a.pop(__qword_ptr[rsp + disp]);
            })));
    }

    /// <summary>ENTER with frame sizes up to 0x300 and nesting levels 0-4 (copying frame pointers from RBP), with and without LEAVE.</summary>
    [Fact]
    public void EnterAndLeaveMatchTheHost()
    {
        DifferentialRunner.Check(SnippetCases.Generate("ENTER", (b, i) =>
        {
            ushort size = (ushort)(i < 8 ? i * 8 : b.Rng.Next(0, 0x300));
            byte level = (byte)(i % 5);
            b.SetReg(Register.RBP, HarnessLayout.InitialRsp + (ulong)(b.Rng.Next(0, 64) * 8));
            bool leave = b.Rng.Next(2) == 0;
            return a =>
            {
                a.enter(size, level);
                if (leave)
                {
                    a.leave();
                }
            };
        }).Concat(SnippetCases.Generate("LEAVE", (b, _) =>
        {
            b.SetReg(Register.RBP, HarnessLayout.InitialRsp + (ulong)(b.Rng.Next(-64, 64) * 8));
            return a => a.leave();
        })));
    }
}
