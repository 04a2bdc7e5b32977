using Cpu.Tests.Support;
using Cpu.Translation;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Translation;

/// <summary>
/// A condition read right after the instruction that set the flags (CMP + Jcc, DEC + JNZ, TEST + SETcc)
/// is computed in compiled code from that instruction's operands and result: every condition code after
/// every modelled producer, at every size and on edge values, gives what the interpreter's lazy flags give.
/// </summary>
public class FusedConditionTests
{
    private static readonly ulong[] Values =
    [
        0, 1, 0x7F, 0x80, 0x8000, 0x8000_0000, 0x8000_0000_0000_0000, ulong.MaxValue, 0x1234_5678_9ABC_DEF0,
    ];

    public static TheoryData<string, int> Producers
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (string p in new[] { "cmp", "sub", "test", "and", "or", "xor", "add", "inc", "dec" })
            {
                foreach (int size in new[] { 1, 2, 4, 8 })
                {
                    data.Add(p, size);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Producers))]
    public void EveryConditionAfterTheProducerMatchesTheInterpreter(string producer, int size)
    {
        foreach (ulong left in Values)
        {
            foreach (ulong right in Values)
            {
                AssertSameOutcome(producer, size, left, right, then: null);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Producers))]
    public void IncAndDecKeepTheProducersCarry(string producer, int size)
    {
        // INC/DEC after the producer: CF is the producer's (passed in from its operands), ZF/SF/OF/PF theirs.
        foreach (ulong left in new ulong[] { 0, 0x7F, 0x8000_0000, ulong.MaxValue, 0x1234_5678_9ABC_DEF0 })
        {
            foreach (ulong right in new ulong[] { 0, 1, ulong.MaxValue })
            {
                foreach (bool decrement in new[] { false, true })
                {
                    AssertSameOutcome(producer, size, left, right, decrement ? "dec" : "inc");
                }
            }
        }
    }

    /// <summary>Runs the program interpreted and compiled: the SETcc and CMOVcc bytes, RFLAGS and RAX agree.</summary>
    private static void AssertSameOutcome(string producer, int size, ulong left, ulong right, string? then)
    {
        using var interpreted = Run(JitMode.Off, producer, size, left, right, then);
        using var compiled = Run(JitMode.Always, producer, size, left, right, then);
        byte[] expected = interpreted.Ram.Span(TestMachine.DataBase, 32).ToArray();
        byte[] actual = compiled.Ram.Span(TestMachine.DataBase, 32).ToArray();
        Assert.True(
            expected.AsSpan().SequenceEqual(actual),
            $"{producer} size {size}{(then is null ? "" : " then " + then)}, 0x{left:X} and 0x{right:X}: SETcc (o,no,b,ae,e,ne,be,a,s,ns,p,np,l,ge,le,g) and CMOVcc bytes {Convert.ToHexString(actual)}, interpreter {Convert.ToHexString(expected)}");
        Assert.Equal(interpreted.State.Rflags, compiled.State.Rflags);
        Assert.Equal(interpreted[0], compiled[0]);
        Assert.True(compiled.Cpu.Jit.Counters.InstructionsInCompiledCode > 30);
    }

    /// <summary>
    /// The producer on RAX and RBX at <paramref name="size"/> (then, with <paramref name="then"/>, INC or DEC
    /// of R8, which holds <paramref name="left"/>), then SETcc and CMOVcc for all sixteen conditions.
    /// </summary>
    private static TestMachine Run(JitMode mode, string producer, int size, ulong left, ulong right, string? then = null)
    {
        var m = new TestMachine();
        m.Cpu.JitMode = mode;
        m.Execute(a =>
        {
            a.mov(rax, left);
            a.mov(rbx, right);
            a.mov(rdi, TestMachine.DataBase);
            a.xor(edx, edx);
            a.mov(esi, 1);
            a.mov(r8, left);
            Producer(a, producer, size);
            if (then == "inc")
            {
                a.inc(r8d);
            }
            else if (then == "dec")
            {
                a.dec(r8);
            }

            for (int cc = 0; cc < 16; cc++)
            {
                Setcc(a, cc, __byte_ptr[rdi + cc]);
            }

            for (int cc = 0; cc < 16; cc++)
            {
                a.mov(ecx, 0);
                Cmovcc(a, cc);
                a.mov(__byte_ptr[rdi + 16 + cc], cl);
            }
        });
        return m;
    }

    /// <summary>The producer on RAX and RBX at <paramref name="size"/> bytes, e.g. <c>Cmp_rm32_r32</c> or <c>Inc_rm8</c>.</summary>
    private static void Producer(Assembler a, string producer, int size)
    {
        int bits = size * 8;
        (Register x, Register y) = size switch
        {
            1 => (Register.AL, Register.BL),
            2 => (Register.AX, Register.BX),
            4 => (Register.EAX, Register.EBX),
            _ => (Register.RAX, Register.RBX),
        };
        string name = char.ToUpperInvariant(producer[0]) + producer[1..];
        a.AddInstruction(producer is "inc" or "dec"
            ? Instruction.Create(Enum.Parse<Code>($"{name}_rm{bits}"), x)
            : Instruction.Create(Enum.Parse<Code>($"{name}_rm{bits}_r{bits}"), x, y));
    }

    /// <summary>SETcc for Iced's condition order o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g.</summary>
    private static void Setcc(Assembler a, int cc, AssemblerMemoryOperand m)
    {
        switch (cc)
        {
            case 0: a.seto(m); break;
            case 1: a.setno(m); break;
            case 2: a.setb(m); break;
            case 3: a.setae(m); break;
            case 4: a.sete(m); break;
            case 5: a.setne(m); break;
            case 6: a.setbe(m); break;
            case 7: a.seta(m); break;
            case 8: a.sets(m); break;
            case 9: a.setns(m); break;
            case 10: a.setp(m); break;
            case 11: a.setnp(m); break;
            case 12: a.setl(m); break;
            case 13: a.setge(m); break;
            case 14: a.setle(m); break;
            default: a.setg(m); break;
        }
    }

    /// <summary>CMOVcc ECX, ESI (ESI is 1) in the same order.</summary>
    private static void Cmovcc(Assembler a, int cc)
    {
        switch (cc)
        {
            case 0: a.cmovo(ecx, esi); break;
            case 1: a.cmovno(ecx, esi); break;
            case 2: a.cmovb(ecx, esi); break;
            case 3: a.cmovae(ecx, esi); break;
            case 4: a.cmove(ecx, esi); break;
            case 5: a.cmovne(ecx, esi); break;
            case 6: a.cmovbe(ecx, esi); break;
            case 7: a.cmova(ecx, esi); break;
            case 8: a.cmovs(ecx, esi); break;
            case 9: a.cmovns(ecx, esi); break;
            case 10: a.cmovp(ecx, esi); break;
            case 11: a.cmovnp(ecx, esi); break;
            case 12: a.cmovl(ecx, esi); break;
            case 13: a.cmovge(ecx, esi); break;
            case 14: a.cmovle(ecx, esi); break;
            default: a.cmovg(ecx, esi); break;
        }
    }
}
