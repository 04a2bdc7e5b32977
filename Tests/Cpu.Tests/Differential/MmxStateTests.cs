using Cpu.Tests.Differential.Harness;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Differential;

/// <summary>
/// The aliasing of MM0-MM7 on the x87 registers (Intel SDM Vol. 1, 9.5) against the host, from a random x87
/// state (TOP, tags, values): what FNSTENV (full tag word, status), FNSAVE and FXSAVE store after an MMX
/// write, EMMS, and x87 instructions after MMX ones (a push onto the all-valid stack overflows) and MMX
/// reads after x87 ones. The final x87/SSE state is compared as in every case.
/// </summary>
public class MmxStateTests
{
    private const int Cases = 60;

    public static TheoryData<string> Snippets() => new(SnippetsByName.Keys);

    [Theory]
    [MemberData(nameof(Snippets))]
    public void MatchesTheHost(string name) => DifferentialRunner.Check(Generate(name, SnippetsByName[name]));

    /// <summary>Each snippet, given the case builder and the data address at RSI (16-byte aligned, 512 bytes free).</summary>
    private static readonly Dictionary<string, Action<Assembler, CaseBuilder, ulong>> SnippetsByName = new()
    {
        ["movq mm, rax; fnstenv"] = (a, b, address) =>
        {
            a.movq(Mm(b), rax);
            a.fnstenv(__[rsi]);
            b.UndefineMemory(address + 12, 16);
        },
        ["movd mm, eax; fnsave"] = (a, b, address) =>
        {
            a.movd(Mm(b), eax);
            a.fnsave(__[rsi]);
            b.UndefineMemory(address + 12, 16);
        },
        ["paddb mm, mm; fxsave64"] = (a, b, address) =>
        {
            a.paddb(Mm(b), Mm(b));
            a.fxsave64(__[rsi]);

            // FOP, FIP, FDP (stored by the host only while an exception is pending), MXCSR_MASK (the processor's
            // own) and the reserved and available bytes after XMM15.
            b.UndefineMemory(address + 6, 18);
            b.UndefineMemory(address + 28, 4);
            b.UndefineMemory(address + 416, 96);
        },
        ["movq mm, rax; emms; fld; fnstenv"] = (a, b, address) =>
        {
            a.movq(Mm(b), rax);
            a.emms();
            a.fld(__qword_ptr[rsi + 64]);
            a.fnstenv(__[rsi]);
            b.UndefineMemory(address + 12, 16);
        },
        ["movq mm, rax; fld1 (overflow)"] = (a, b, address) =>
        {
            a.movq(Mm(b), rax);
            a.fld1();
        },
        ["fld1; fld; movq rax, mm"] = (a, b, address) =>
        {
            a.fld1();
            a.fld(__qword_ptr[rsi + 64]);
            a.movq(rax, Mm(b));
        },
        ["pxor mm, mm; fstp; fnstenv"] = (a, b, address) =>
        {
            a.pxor(Mm(b), Mm(b));
            a.fstp(__qword_ptr[rsi + 64]);
            a.fnstenv(__[rsi]);
            b.UndefineMemory(address + 12, 16);
        },
    };

    private static AssemblerRegisterMM Mm(CaseBuilder b) => new(Register.MM0 + b.Rng.Next(8));

    private static IEnumerable<DiffCase> Generate(string name, Action<Assembler, CaseBuilder, ulong> snippet)
    {
        var rng = new Random(SnippetCases.StableHash(name));
        for (int i = 0; i < Cases; i++)
        {
            var b = new CaseBuilder(rng);
            ulong address = b.DataAddress(alignment: 16, margin: 600);
            b.SetReg(Register.RSI, address);
            for (int k = 0; k < 10; k++)
            {
                b.Write(address + 64 + (ulong)(8 * k), 8, FloatValues.Interesting(rng, Cpu.Semantics.Float.FloatFormat.Double));
            }

            var mm = new ulong[8];
            for (int r = 0; r < 8; r++)
            {
                mm[r] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 33);
            }

            DiffCase c = b.Build(name, a => snippet(a, b, address));
            yield return c with { Fpu = FpuImage.WithMmx(X87Cases.Image(rng), mm, rng) };
        }
    }
}
