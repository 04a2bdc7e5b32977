using System.Collections;
using System.Reflection;
using System.Text;
using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>
/// Every integer mnemonic of issue 3, in every encoding and operand size (register and memory forms, each
/// repeat prefix), appears in at least <see cref="CoverageList.MinimumCases"/> cases that the differential
/// tests of this namespace really generate (collected by invoking each test with its data), or is listed with the unit test that covers it instead.
/// </summary>
public class CoverageTests
{
    [Fact]
    public void EveryListedEncodingIsComparedWithTheHostInEnoughCases()
    {
        Dictionary<string, int> counts = CountGeneratedCases();
        var gaps = new List<string>();
        var report = new StringBuilder();
        foreach ((string key, string? exemption) in CoverageList.Required())
        {
            int n = counts.GetValueOrDefault(key);
            report.AppendLine($"{key}\t{n}\t{exemption ?? ""}");
            if (exemption is null && n < CoverageList.MinimumCases)
            {
                gaps.Add($"{key}: {n} cases");
            }
        }

        TestContext.Current.SendDiagnosticMessage(report.ToString());
        Assert.True(gaps.Count == 0, $"{gaps.Count} encodings have fewer than {CoverageList.MinimumCases} differential cases:\n" + string.Join("\n", gaps));
    }

    /// <summary>The keys of <see cref="CoverageList.KeyOf"/>, each counted once per case whose code contains it.</summary>
    private static Dictionary<string, int> CountGeneratedCases()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (DiffCase c in CollectAll())
        {
            var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(c.Code));
            decoder.IP = HarnessLayout.SnippetAddress;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (decoder.IP < HarnessLayout.SnippetAddress + (ulong)c.Code.Length)
            {
                decoder.Decode(out Instruction ins);
                if (seen.Add(CoverageList.KeyOf(ins)))
                {
                    counts[CoverageList.KeyOf(ins)] = counts.GetValueOrDefault(CoverageList.KeyOf(ins)) + 1;
                }
            }
        }

        return counts;
    }

    /// <summary>Invokes every differential test method with each of its data rows while cases are collected, not run.</summary>
    private static List<DiffCase> CollectAll()
    {
        var all = new List<DiffCase>();
        IEnumerable<Type> classes = typeof(CoverageTests).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(CoverageTests).Namespace && t != typeof(CoverageTests) && t.IsClass && !t.IsAbstract);
        foreach (Type type in classes)
        {
            foreach (MethodInfo method in type.GetMethods().Where(m => m.GetCustomAttribute<FactAttribute>() is not null))
            {
                foreach (object?[] args in DataRows(type, method))
                {
                    object? instance = method.IsStatic ? null : Activator.CreateInstance(type);
                    all.AddRange(CaseCollector.Collect(() => Invoke(method, instance, args)));
                }
            }
        }

        return all;
    }

    private static void Invoke(MethodInfo method, object? instance, object?[] args)
    {
        try
        {
            method.Invoke(instance, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new InvalidOperationException($"{method.DeclaringType?.Name}.{method.Name} failed while its cases were collected", e.InnerException);
        }
    }

    private static IEnumerable<object?[]> DataRows(Type type, MethodInfo method)
    {
        if (method.GetCustomAttribute<TheoryAttribute>() is null)
        {
            yield return [];
            yield break;
        }

        foreach (InlineDataAttribute inline in method.GetCustomAttributes<InlineDataAttribute>())
        {
            yield return inline.Data;
        }

        foreach (MemberDataAttribute member in method.GetCustomAttributes<MemberDataAttribute>())
        {
            object? data = (member.MemberType ?? type).GetMethod(member.MemberName)?.Invoke(null, []);
            foreach (object? row in (IEnumerable?)data ?? Array.Empty<object>())
            {
                yield return row switch
                {
                    ITheoryDataRow r => r.GetData(),
                    object?[] a => a,
                    _ => [row],
                };
            }
        }
    }
}
