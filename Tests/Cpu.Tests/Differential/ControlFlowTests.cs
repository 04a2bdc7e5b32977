using Cpu.Tests.Differential.Harness;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Differential;

/// <summary>
/// Jcc (all 16, short and near, taken and not taken), JMP (short, near, register, memory), JRCXZ/JECXZ,
/// LOOP/LOOPE/LOOPNE, CALL (relative, register, memory) and RET (with and without an immediate).
/// Each path leaves a different mark in a register, so the path taken is compared.
/// </summary>
public class ControlFlowTests
{
    internal static readonly (string Name, Action<Assembler, Label> Jump)[] Conditions =
    [
        ("JO", (a, l) => a.jo(l)), ("JNO", (a, l) => a.jno(l)), ("JB", (a, l) => a.jb(l)), ("JAE", (a, l) => a.jae(l)),
        ("JE", (a, l) => a.je(l)), ("JNE", (a, l) => a.jne(l)), ("JBE", (a, l) => a.jbe(l)), ("JA", (a, l) => a.ja(l)),
        ("JS", (a, l) => a.js(l)), ("JNS", (a, l) => a.jns(l)), ("JP", (a, l) => a.jp(l)), ("JNP", (a, l) => a.jnp(l)),
        ("JL", (a, l) => a.jl(l)), ("JGE", (a, l) => a.jge(l)), ("JLE", (a, l) => a.jle(l)), ("JG", (a, l) => a.jg(l)),
    ];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void JccMatchesTheHost(bool shortForm)
    {
        DifferentialRunner.Check(Conditions.SelectMany(cond => SnippetCases.Generate($"{cond.Name} {(shortForm ? "rel8" : "rel32")}", (_, _) =>
            a => TwoWay(a, shortForm, l => cond.Jump(a, l)))));
    }

    [Fact]
    public void JrcxzAndJecxzMatchTheHost()
    {
        DifferentialRunner.Check(SnippetCases.Generate("JRCXZ", (b, i) =>
        {
            SetCounter(b, i);
            return a => TwoWay(a, true, l => a.jrcxz(l));
        }).Concat(SnippetCases.Generate("JECXZ", (b, i) =>
        {
            SetCounter(b, i);
            // Iced's assembler refuses JECXZ in 64-bit mode; it is 67 E3 rel8 there (to the EDX mark, past MOV EAX and JMP short).
            return a => TwoWay(a, true, _ => a.db(0x67, 0xE3, 0x07));
        })));
    }

    [Fact]
    public void LoopMatchesTheHost()
    {
        DifferentialRunner.Check(SnippetCases.Generate("LOOP", (b, _) =>
        {
            b.SetReg(Register.RCX, (ulong)b.Rng.Next(1, 40));
            return a =>
            {
                Label top = a.CreateLabel();
                a.Label(ref top);
                a.lea(rax, __[rax + 1]);
                a.loop(top);
            };
        }).Concat(LoopWithCondition("LOOPE", (a, l) => a.loope(l)))
          .Concat(LoopWithCondition("LOOPNE", (a, l) => a.loopne(l))));
    }

    /// <summary>
    /// LOOP/LOOPE/LOOPNE with a 67h prefix count in ECX: RCX's upper half is random, so whether it is kept or
    /// cleared is compared too. Iced's assembler has no 32-bit-address LOOP in 64-bit mode: the bytes are 67 E0-E2 rel8.
    /// </summary>
    [Fact]
    public void LoopWithEcxMatchesTheHost()
    {
        DifferentialRunner.Check(SnippetCases.Generate("LOOPD (67h)", (b, _) =>
        {
            b.SetReg(Register.RCX, (OperandValues.Random64(b.Rng) << 32) | (uint)b.Rng.Next(1, 40));
            return a =>
            {
                a.lea(rax, __[rax + 1]); // 4 bytes
                a.db(0x67, 0xE2, unchecked((byte)-7));
            };
        }).Concat(LoopWithCondition("LOOPED (67h)", (a, _) => a.db(0x67, 0xE1, unchecked((byte)-10)), ecx: true))
          .Concat(LoopWithCondition("LOOPNED (67h)", (a, _) => a.db(0x67, 0xE0, unchecked((byte)-10)), ecx: true)));
    }

    [Fact]
    public void JmpMatchesTheHost()
    {
        DifferentialRunner.Check(
            SnippetCases.Generate("JMP rel8", (_, _) => a => TwoWay(a, true, l => a.jmp(l)))
            .Concat(SnippetCases.Generate("JMP rel32", (_, _) => a => TwoWay(a, false, l => a.jmp(l))))
            .Concat(SnippetCases.Generate("JMP r64", (_, _) => a => TwoWay(a, true, l =>
            {
                a.lea(r11, __[l]);
                a.jmp(r11);
            })))
            .Concat(SnippetCases.Generate("JMP m64", (b, _) =>
            {
                b.SetReg(Register.RSI, b.DataAddress(8));
                return a => TwoWay(a, true, l =>
                {
                    a.lea(r11, __[l]);
                    a.mov(__qword_ptr[rsi], r11);
                    a.jmp(__qword_ptr[rsi]);
                });
            })));
    }

    [Fact]
    public void CallAndRetMatchTheHost()
    {
        DifferentialRunner.Check(
            SnippetCases.Generate("CALL rel32 / RET", (_, _) => a => CallAndReturn(a, f => a.call(f), 0))
            .Concat(SnippetCases.Generate("CALL rel32 / RET imm16", (b, _) =>
            {
                ushort pop = (ushort)(b.Rng.Next(0, 32) * 8);
                return a => CallAndReturn(a, f => a.call(f), pop);
            }))
            .Concat(SnippetCases.Generate("CALL r64", (_, _) => a => CallAndReturn(a, f =>
            {
                a.lea(r11, __[f]);
                a.call(r11);
            }, 0)))
            .Concat(SnippetCases.Generate("CALL m64", (b, _) =>
            {
                b.SetReg(Register.RSI, b.DataAddress(8));
                return a => CallAndReturn(a, f =>
                {
                    a.lea(r11, __[f]);
                    a.mov(__qword_ptr[rsi], r11);
                    a.call(__qword_ptr[rsi]);
                }, 0);
            })));
    }

    /// <summary>Jump over a mark to another: EAX marks the fall-through path, EDX the target path.</summary>
    internal static void TwoWay(Assembler a, bool shortForm, Action<Label> jump)
    {
        a.PreferShortBranch = shortForm;
        Label taken = a.CreateLabel();
        Label end = a.CreateLabel();
        jump(taken);
        a.mov(eax, 0x1111);
        a.jmp(end);
        if (!shortForm)
        {
            // Far enough that no short form could reach.
            for (int i = 0; i < 130; i++)
            {
                a.nop();
            }
        }

        a.Label(ref taken);
        a.mov(edx, 0x2222);
        a.Label(ref end);
        a.nop();
    }

    private static void CallAndReturn(Assembler a, Action<Label> call, ushort pop)
    {
        Label function = a.CreateLabel();
        Label end = a.CreateLabel();
        call(function);
        a.mov(eax, 0x1111);
        a.jmp(end);
        a.Label(ref function);
        a.lea(rdx, __[rdx + 1]);
        if (pop == 0)
        {
            a.ret();
        }
        else
        {
            a.ret(pop);
        }

        a.Label(ref end);
        a.nop();
    }

    /// <summary>RCX zero, zero in its low half only, or anything.</summary>
    private static void SetCounter(CaseBuilder b, int i)
    {
        switch (i % 4)
        {
            case 0:
                b.SetReg(Register.RCX, 0);
                break;
            case 1:
                b.SetReg(Register.RCX, OperandValues.Random64(b.Rng) << 32);
                break;
            default:
                break;
        }
    }

    /// <summary>A loop comparing bytes of the data buffer with DL, so ZF decides as often as RCX when it ends.</summary>
    private static IEnumerable<DiffCase> LoopWithCondition(string name, Action<Assembler, Label> loop, bool ecx = false) =>
        SnippetCases.Generate(name, (b, _) =>
        {
            ulong at = b.DataAddress(1, 128);
            byte key = (byte)b.Rng.Next(256);
            for (int k = 0; k < 40; k++)
            {
                if (b.Rng.Next(3) != 0)
                {
                    b.Write(at + (ulong)k, 1, key);
                }
            }

            b.SetReg(Register.RSI, at);
            b.SetReg(Register.RAX, 0);
            b.SetReg(Register.DL, key);
            b.SetReg(Register.RCX, (ecx ? OperandValues.Random64(b.Rng) << 32 : 0) | (uint)b.Rng.Next(1, 40));
            return a =>
            {
                Label top = a.CreateLabel();
                a.Label(ref top);
                a.lea(rax, __[rax + 1]); // 4 bytes
                a.cmp(__byte_ptr[rsi + rax], dl); // 3 bytes
                loop(a, top);
            };
        });
}
