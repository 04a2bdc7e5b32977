using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Cpu.Semantics.Sse;
using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>
/// SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 on XMM registers against the host CPU: every Iced <see cref="Code"/> of the implemented
/// mnemonics, register and memory forms, results, MXCSR flags and RFLAGS compared bit for bit under every
/// rounding mode with DAZ and FTZ (exceptions masked).
/// </summary>
public class SseTests
{
    public static TheoryData<string> Codes() => new(SseCases.Codes().Select(c => c.ToString()));

    [Theory]
    [MemberData(nameof(Codes))]
    public void MatchesTheHost(string code) => DifferentialRunner.Check(SseCases.Generate(Enum.Parse<Code>(code)));

    /// <summary>
    /// Coverage: every SSE-SSE4.2 XMM form Iced knows (legacy encoding, valid in 64-bit mode) is declared, and
    /// so generated above, with at least <see cref="MinimumCases"/> cases (register and memory forms alike).
    /// </summary>
    [Fact]
    public void EverySimdXmmCodeIsImplementedWithEnoughCases()
    {
        var all = Enum.GetValues<Code>().Where(SseCases.IsSseXmmForm).ToList();
        var implemented = SseCases.Codes().ToHashSet();
        string missing = string.Join(", ", all.Where(c => !implemented.Contains(c)));
        Assert.True(missing.Length == 0, $"SSE-SSE4.2 XMM codes not implemented: {missing}");
        Assert.All(implemented, c => Assert.True(SseCases.Generate(c).Count() >= MinimumCases, $"{c}: too few cases"));
    }

    /// <summary>
    /// RCPPS/RSQRTPS: the emulator's lanes are within the SDM's relative-error bound (1.5 * 2^-12) of the exact
    /// value over normal operands of every exponent whose result is normal; the host's worst error on the same
    /// operands is recorded beside it (the differential cases compare the two within that bound).
    /// </summary>
    [Fact]
    public void ApproximationsAreWithinTheSdmBound()
    {
        const double bound = 1.5 / 4096;
        var rng = new Random(15);
        double emuRcp = 0, emuRsqrt = 0, hostRcp = 0, hostRsqrt = 0;
        for (int i = 0; i < 200_000; i++)
        {
            uint bits = (uint)rng.Next(0x0080_0000, 0x7E80_0000) | (rng.Next(2) == 0 ? 0 : 0x8000_0000u);
            float x = BitConverter.UInt32BitsToSingle(bits);
            double rcp = 1.0 / x;
            emuRcp = Math.Max(emuRcp, Relative(SseApproximations.Reciprocal(bits), rcp));
            if (Sse.IsSupported)
            {
                hostRcp = Math.Max(hostRcp, Relative(BitConverter.SingleToUInt32Bits(Sse.ReciprocalScalar(Vector128.CreateScalar(x)).ToScalar()), rcp));
            }

            if (x > 0)
            {
                double rsqrt = 1.0 / Math.Sqrt(x);
                emuRsqrt = Math.Max(emuRsqrt, Relative(SseApproximations.ReciprocalSquareRoot(bits), rsqrt));
                if (Sse.IsSupported)
                {
                    hostRsqrt = Math.Max(hostRsqrt, Relative(BitConverter.SingleToUInt32Bits(Sse.ReciprocalSqrtScalar(Vector128.CreateScalar(x)).ToScalar()), rsqrt));
                }
            }
        }

        TestContext.Current.SendDiagnosticMessage(
            $"worst relative error / 2^-12: RCP emu {emuRcp * 4096:F4}, host {hostRcp * 4096:F4}; RSQRT emu {emuRsqrt * 4096:F4}, host {hostRsqrt * 4096:F4}");
        Assert.InRange(emuRcp, 0, bound);
        Assert.InRange(emuRsqrt, 0, bound);
    }

    private static double Relative(uint bits, double exact) => Math.Abs((BitConverter.UInt32BitsToSingle(bits) - exact) / exact);

    private const int MinimumCases = SseCases.CasesPerVariant;
}
