using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>Cases for hand-written snippets (control flow, stack, strings): the generator sets up a builder and returns the snippet.</summary>
public static class SnippetCases
{
    public const int DefaultCount = 110;

    public static IEnumerable<DiffCase> Generate(string form, Func<CaseBuilder, int, Action<Assembler>> setup, int count = DefaultCount)
    {
        var rng = new Random(StableHash(form));
        for (int i = 0; i < count; i++)
        {
            var b = new CaseBuilder(rng);
            Action<Assembler> build = setup(b, i);
            yield return b.Build(form, build);
        }
    }

    /// <summary>string.GetHashCode is randomised per process; failures must reproduce.</summary>
    public static int StableHash(string s)
    {
        int h = 17;
        foreach (char ch in s)
        {
            h = (h * 31) + ch;
        }

        return h;
    }
}
