using Cpu.Tests.Differential.Harness;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Differential;

/// <summary>
/// RDTSCP's and RDPID's TSC_AUX forms against the host. The host's IA32_TSC_AUX (Linux puts the CPU number there)
/// differs from the emulator's, so the snippet keeps only what the SDM fixes for both: RDPID and RDTSCP read the
/// same register, and both zero-extend it to 64 bits over whatever the destination held. The values themselves are
/// System/SystemRegisterTests' (RdpidReadsTscAuxAtAnyPrivilegeEvenWithCr4Tsd).
/// </summary>
public class TscAuxTests
{
    [Fact]
    public void RdpidAndRdtscpReadTheSameZeroExtendedTscAuxAsOnTheHost()
    {
        HostFeatures.RequireHost(HostFeatures.HostHasRdpid, "RDPID");
        DifferentialRunner.Check(SnippetCases.Generate("RDPID/RDTSCP", (b, _) => a =>
        {
            a.mov(rcx, -1L);
            a.rdtscp();
            a.mov(r9, rcx);
            a.mov(rax, -1L);
            a.rdpid(rax);
            a.sub(rax, r9); // 0: the same TSC_AUX, zero-extended by both
            a.shr(r9, 32); // 0: RDTSCP cleared RCX[63:32]
            a.xor(ecx, ecx);
            a.xor(edx, edx); // EDX:EAX held the time, which differs
        }));
    }
}
