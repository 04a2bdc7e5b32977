using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>
/// MOVS, STOS, LODS, CMPS, SCAS in byte, word, dword and qword sizes, without a prefix and with REP /
/// REPE / REPNE, DF clear and set, small counts (including 0), overlapping MOVS, and XLAT.
/// CMPS and SCAS data share runs of equal elements so that REPE and REPNE stop for either reason.
/// </summary>
public class StringTests
{
    private static readonly string[] Sizes = ["b", "w", "d", "q"];

    private static readonly (string Name, Action<Assembler>[] BySize)[] Plain =
    [
        ("MOVS", [a => a.movsb(), a => a.movsw(), a => a.movsd(), a => a.movsq()]),
        ("STOS", [a => a.stosb(), a => a.stosw(), a => a.stosd(), a => a.stosq()]),
        ("LODS", [a => a.lodsb(), a => a.lodsw(), a => a.lodsd(), a => a.lodsq()]),
        ("CMPS", [a => a.cmpsb(), a => a.cmpsw(), a => a.cmpsd(), a => a.cmpsq()]),
        ("SCAS", [a => a.scasb(), a => a.scasw(), a => a.scasd(), a => a.scasq()]),
        ("REP MOVS", [a => a.rep.movsb(), a => a.rep.movsw(), a => a.rep.movsd(), a => a.rep.movsq()]),
        ("REP STOS", [a => a.rep.stosb(), a => a.rep.stosw(), a => a.rep.stosd(), a => a.rep.stosq()]),
        ("REP LODS", [a => a.rep.lodsb(), a => a.rep.lodsw(), a => a.rep.lodsd(), a => a.rep.lodsq()]),
        ("REPE CMPS", [a => a.repe.cmpsb(), a => a.repe.cmpsw(), a => a.repe.cmpsd(), a => a.repe.cmpsq()]),
        ("REPNE CMPS", [a => a.repne.cmpsb(), a => a.repne.cmpsw(), a => a.repne.cmpsd(), a => a.repne.cmpsq()]),
        ("REPE SCAS", [a => a.repe.scasb(), a => a.repe.scasw(), a => a.repe.scasd(), a => a.repe.scasq()]),
        ("REPNE SCAS", [a => a.repne.scasb(), a => a.repne.scasw(), a => a.repne.scasd(), a => a.repne.scasq()]),
    ];

    public static TheoryData<string> Operations() => new(Plain.Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Operations))]
    public void MatchesTheHost(string operation)
    {
        (string name, Action<Assembler>[] bySize) = Plain.Single(p => p.Name == operation);
        DifferentialRunner.Check(Enumerable.Range(0, 4).SelectMany(size => SnippetCases.Generate($"{name}{Sizes[size]}", (b, i) =>
        {
            Setup(b, i, 1 << size, name.Contains("MOVS", StringComparison.Ordinal));
            return bySize[size];
        })));
    }

    [Fact]
    public void XlatMatchesTheHost()
    {
        DifferentialRunner.Check(SnippetCases.Generate("XLAT", (b, _) =>
        {
            b.SetReg(Register.RBX, b.DataAddress(1, 300));
            return a => a.xlatb();
        }));
    }

    private static void Setup(CaseBuilder b, int index, int size, bool mayOverlap)
    {
        Random rng = b.Rng;
        ulong source = HarnessLayout.DataAddress + 0x300 + (ulong)rng.Next(0, 0x200);
        ulong destination = HarnessLayout.DataAddress + 0x900 + (ulong)rng.Next(0, 0x200);
        if (mayOverlap && rng.Next(4) == 0)
        {
            destination = source + (ulong)(rng.Next(-3, 4) * size) + (ulong)rng.Next(0, 2);
        }

        ulong count = index % 8 == 0 ? 0 : (ulong)rng.Next(1, 13);
        b.SetReg(Register.RSI, source);
        b.SetReg(Register.RDI, destination);
        b.SetReg(Register.RCX, count);
        b.Flags = (b.Flags & ~FlagBits.DF) | (rng.Next(2) == 0 ? FlagBits.DF : 0);

        // Make runs of equal elements between the two strings (and the accumulator) around both pointers.
        bool down = (b.Flags & FlagBits.DF) != 0;
        int equal = rng.Next(0, 14);
        for (int k = 0; k < 14; k++)
        {
            long step = (down ? -k : k) * size;
            ulong value = b.Read(source + (ulong)step, size);
            if (k < equal && destination != source)
            {
                b.Write(destination + (ulong)step, size, value);
            }
        }

        if (rng.Next(2) == 0)
        {
            long step = (down ? -1 : 1) * size * rng.Next(0, 8);
            b.SetReg(size switch { 1 => Register.AL, 2 => Register.AX, 4 => Register.EAX, _ => Register.RAX }, b.Read(destination + (ulong)step, size));
        }
    }
}
