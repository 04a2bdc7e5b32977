using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>
/// The declared x87 instructions against the host CPU: every Iced <see cref="Code"/> with random stacks,
/// precision and rounding control; results, status word (flags, condition codes, TOP), tags and RFLAGS
/// compared bit for bit (exceptions masked).
/// </summary>
public class X87Tests
{
    public static TheoryData<string> Codes() => new(X87Cases.Codes().Select(c => c.ToString()));

    [Theory]
    [MemberData(nameof(Codes))]
    public void MatchesTheHost(string code) => DifferentialRunner.Check(X87Cases.Generate(Enum.Parse<Code>(code)));
}
