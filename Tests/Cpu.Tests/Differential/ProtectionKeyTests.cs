using Cpu.Tests.Differential.Harness;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Differential;

/// <summary>
/// RDPKRU and WRPKRU against the host, which runs them at CPL 3 when its OS enabled protection keys
/// (CPUID.7.0:ECX.OSPKE, "ospke" in /proc/cpuinfo); the test skips on a host without them.
/// </summary>
public class ProtectionKeyTests
{
    [Fact]
    public void WrpkruThenRdpkruMatchesTheHost()
    {
        HostFeatures.RequireHost(HostFeatures.HostHasOspke, "protection keys enabled by the OS (OSPKE)");
        DifferentialRunner.Check(SnippetCases.Generate("WRPKRU/RDPKRU", (b, _) =>
        {
            // Key 0, which every page of the harness has, keeps full access; the host's PKRU is put back.
            uint value = (uint)b.Rng.NextInt64(0, 1L << 32) & ~3u;
            return a =>
            {
                a.xor(ecx, ecx);
                a.rdpkru();
                a.mov(r10d, eax);
                a.xor(edx, edx);
                a.mov(eax, value);
                a.wrpkru();
                a.rdpkru();
                a.mov(r9d, eax);
                a.mov(eax, r10d);
                a.wrpkru();
                a.xor(r10d, r10d);
                a.xor(eax, eax);
            };
        }));
    }
}
