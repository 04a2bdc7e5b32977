using Cpu.Execution;
using Cpu.System;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.System;

/// <summary>
/// An honest CPUID (issue 3): every feature bit the emulator reports in leaves 1, 7 and 80000001H is
/// listed here with a probe that uses the feature at CPL 0 and must finish without an exception (or, for
/// what a probe cannot show, the test that proves it). A newly reported bit without an entry fails the test.
/// </summary>
public class CpuidHonestyTests
{
    private const ulong Data = 0x40000;
    private const ulong Done = 0x600D;

    private static readonly Feature[] Features =
    [
        new(1, 'c', 13, "CMPXCHG16B", a => a.cmpxchg16b(__[rsi])),
        new(1, 'c', 17, "PCID", a => SetCr4(a, ControlRegisters.Cr4Pcide)),
        new(1, 'c', 22, "MOVBE", a => { a.movbe(eax, __dword_ptr[rsi]); a.movbe(__qword_ptr[rsi], rax); }),
        new(1, 'c', 23, "POPCNT", a => a.popcnt(rax, rcx)),
        new(1, 'c', 21, "x2APIC", null, "Guest.Tests EmuTestKernelTests (kernel x2apic: the machine wires the APIC's MSRs)"),
        new(1, 'c', 24, "TSC-deadline", null, "Emulator.Tests TscDeadlineTests.WrmsrTscDeadlineFiresTheLapicTimer (the machine wires the APIC's MSR)"),
        new(1, 'c', 26, "XSAVE", a =>
        {
            SetCr4(a, ControlRegisters.Cr4Osxsave);
            a.xor(ecx, ecx);
            a.xgetbv();
            a.or(eax, (int)ExtendedState.SseComponent);
            a.xsetbv();
            a.and(esi, ~63);
            a.xsave(__[rsi]);
            a.xsaveopt(__[rsi]);
            a.xrstor(__[rsi]);
            a.xsavec(__[rsi]);
            a.xrstor(__[rsi]);
        }),
        new(1, 'd', 24, "FXSR", a => { SetCr4(a, ControlRegisters.Cr4Osfxsr); a.fxsave(__[rsi]); a.fxrstor(__[rsi]); a.fxsave64(__[rsi]); a.fxrstor64(__[rsi]); }),
        new(1, 'd', 0, "FPU", a =>
        {
            a.fninit();
            a.wait();
            a.fldpi();
            a.fld1();
            a.faddp(st1, st0);
            a.fstp(__qword_ptr[rsi]);
            a.fild(__dword_ptr[rsi]);
            a.fcomip(st0, st0);
            a.fnstsw(ax);
            a.fnstcw(__word_ptr[rsi]);
            a.fldcw(__word_ptr[rsi]);
        }),
        new(1, 'd', 25, "SSE", a =>
        {
            SetCr4(a, ControlRegisters.Cr4Osfxsr | ControlRegisters.Cr4Osxmmexcpt);
            a.and(esi, ~15);
            a.movaps(xmm0, __xmmword_ptr[rsi]);
            a.addps(xmm0, xmm0);
            a.mulss(xmm1, xmm0);
            a.cvtsi2ss(xmm2, eax);
            a.stmxcsr(__dword_ptr[rsi]);
            a.ldmxcsr(__dword_ptr[rsi]);
        }),
        new(1, 'd', 26, "SSE2", a =>
        {
            SetCr4(a, ControlRegisters.Cr4Osfxsr | ControlRegisters.Cr4Osxmmexcpt);
            a.and(esi, ~15);
            a.movdqa(xmm0, __xmmword_ptr[rsi]);
            a.paddq(xmm0, xmm0);
            a.addsd(xmm1, xmm0);
            a.cvttsd2si(eax, xmm1);
            a.movq(xmm3, rax);
            a.pshufd(xmm4, xmm3, 0x1B);
        }),
        new(1, 'c', 0, "SSE3", a =>
        {
            SetCr4(a, ControlRegisters.Cr4Osfxsr | ControlRegisters.Cr4Osxmmexcpt);
            a.and(esi, ~15);
            a.lddqu(xmm0, __[rsi]);
            a.haddps(xmm0, xmm0);
            a.addsubpd(xmm1, xmm0);
            a.movddup(xmm2, xmm1);
            a.fld1();
            a.fisttp(__dword_ptr[rsi]);
        }),
        new(1, 'c', 19, "SSE4.1", a =>
        {
            SetCr4(a, ControlRegisters.Cr4Osfxsr | ControlRegisters.Cr4Osxmmexcpt);
            a.and(esi, ~15);
            a.pmovzxbw(xmm0, __qword_ptr[rsi]);
            a.pmulld(xmm0, xmm0);
            a.ptest(xmm0, xmm1);
            a.roundps(xmm1, xmm0, 1);
            a.pextrq(rax, xmm1, 1);
            a.pinsrd(xmm2, eax, 3);
            a.movntdqa(xmm3, __[rsi]);
        }),
        new(1, 'd', 23, "MMX", a =>
        {
            a.movq(mm0, __qword_ptr[rsi]);
            a.paddw(mm0, mm0);
            a.pmaddwd(mm1, mm0);
            a.packsswb(mm1, mm0);
            a.movd(eax, mm1);
            a.emms();
        }),
        new(1, 'c', 9, "SSSE3", a =>
        {
            SetCr4(a, ControlRegisters.Cr4Osfxsr | ControlRegisters.Cr4Osxmmexcpt);
            a.pshufb(xmm0, xmm1);
            a.palignr(xmm0, __[rsi], 3);
            a.pshufb(mm0, mm1);
            a.phaddw(mm0, __qword_ptr[rsi]);
            a.pabsd(mm1, mm0);
            a.emms();
        }),
        new(1, 'c', 20, "SSE4.2", a =>
        {
            SetCr4(a, ControlRegisters.Cr4Osfxsr | ControlRegisters.Cr4Osxmmexcpt);
            a.pcmpgtq(xmm0, xmm1);
            a.pcmpistri(xmm0, __[rsi], 0x0C);
            a.pcmpestrm(xmm0, xmm1, 0x40);
            a.crc32(eax, __byte_ptr[rsi]);
            a.crc32(rax, rcx);
        }),
        new(1, 'd', 2, "DE", a => SetCr4(a, ControlRegisters.Cr4De)),
        new(1, 'd', 3, "PSE", a => SetCr4(a, ControlRegisters.Cr4Pse)),
        new(1, 'd', 4, "TSC", a => a.rdtsc()),
        new(1, 'd', 5, "MSR", a => { a.mov(ecx, MsrIndex.Efer); a.rdmsr(); a.wrmsr(); }),
        new(1, 'd', 6, "PAE", a => SetCr4(a, ControlRegisters.Cr4Pae)),
        new(1, 'd', 8, "CX8", a => a.cmpxchg8b(__[rsi])),
        new(1, 'd', 9, "APIC", a => { a.mov(ecx, MsrIndex.ApicBase); a.rdmsr(); }),
        new(1, 'd', 11, "SEP", null, "MsrTests.SysenterAndSysexitIn32BitProtectedMode"),
        new(1, 'd', 13, "PGE", a => SetCr4(a, ControlRegisters.Cr4Pge)),
        new(1, 'd', 15, "CMOV", a => a.cmove(eax, ecx)),
        new(1, 'd', 16, "PAT", a => { a.mov(ecx, MsrIndex.Pat); a.rdmsr(); a.wrmsr(); }),
        new(7, 'b', 0, "FSGSBASE", a => { SetCr4(a, ControlRegisters.Cr4FsGsBase); a.wrfsbase(rsi); a.rdgsbase(rax); }),
        new(7, 'b', 1, "TSC_ADJUST", a => { a.mov(ecx, MsrIndex.TscAdjust); a.rdmsr(); a.wrmsr(); }),
        new(7, 'b', 3, "BMI1", a => { a.andn(eax, ecx, edx); a.bextr(rax, rcx, rdx); a.blsi(eax, ecx); a.blsmsk(rax, rcx); a.blsr(eax, ecx); a.tzcnt(eax, ecx); }),
        new(7, 'b', 7, "SMEP", a => SetCr4(a, ControlRegisters.Cr4Smep)),
        new(7, 'b', 10, "INVPCID", a => { a.mov(eax, 2); a.invpcid(rax, __[rsi]); }),
        new(7, 'b', 20, "SMAP", a => { SetCr4(a, ControlRegisters.Cr4Smap); a.stac(); a.clac(); }),
        new(7, 'c', 2, "UMIP", a => SetCr4(a, ControlRegisters.Cr4Umip)),
        new(7, 'c', 3, "PKU", a =>
        {
            SetCr4(a, ControlRegisters.Cr4Pke);
            a.xor(ecx, ecx);
            a.rdpkru();
            a.xor(edx, edx);
            a.wrpkru();
        }),
        new(7, 'c', 22, "RDPID", a => { a.rdpid(rax); }),
        new(7, 'c', 31, "PKS", a =>
        {
            SetCr4(a, ControlRegisters.Cr4Pks);
            a.mov(ecx, MsrIndex.Pkrs);
            a.rdmsr();
            a.wrmsr();
        }),
        new(1, 'd', 19, "CLFSH", a => a.clflush(__[rsi])),
        new(7, 'b', 23, "CLFLUSHOPT", a => a.clflushopt(__[rsi])),
        new(7, 'b', 24, "CLWB", a => a.clwb(__[rsi])),
        new(0x8000_0001, 'c', 0, "LAHF-SAHF", a => { a.lahf(); a.sahf(); }),
        new(0x8000_0001, 'c', 5, "LZCNT", a => a.lzcnt(eax, ecx)),
        new(0x8000_0001, 'd', 11, "SYSCALL", a => SetEfer(a, ProcessorMode.EferSce)),
        new(0x8000_0001, 'd', 20, "NX", a => SetEfer(a, ProcessorMode.EferNxe)),
        new(0x8000_0001, 'd', 26, "1 GiB pages", null, "Mmu.Tests LargePageAndAccessedDirtyTests.OneGiBPageKeepsThirtyOffsetBits"),
        new(0x8000_0001, 'd', 27, "RDTSCP", a => a.rdtscp()),
        new(0x8000_0001, 'd', 29, "LM", null, "PagingTransitionTests.ProtectedModeKernelEntersLongModeThroughPaeLmePgAndAFarJump"),
    ];

    public static TheoryData<string> Probed() => new(Features.Where(f => f.Probe is not null).Select(f => f.Name));

    [Fact]
    public void EveryReportedFeatureBitIsListed()
    {
        using var m = new SystemMachine();
        var missing = new List<string>();
        foreach (uint leaf in new uint[] { 1, 7, 0x8000_0001 })
        {
            (uint _, uint ebx, uint ecx, uint edx) = CpuIdentification.Query(m.Cpu.SystemRegisters.Features, leaf, 0);
            foreach ((char reg, uint value) in new[] { ('b', ebx), ('c', ecx), ('d', edx) })
            {
                for (int bit = 0; bit < 32; bit++)
                {
                    bool listed = Features.Any(f => f.Leaf == leaf && f.Register == reg && f.Bit == bit);
                    if ((value & (1u << bit)) != 0 && !(leaf == 1 && reg == 'b') && !listed)
                    {
                        missing.Add($"CPUID.{leaf:X}H:E{char.ToUpperInvariant(reg)}X[{bit}]");
                    }
                }
            }
        }

        Assert.True(missing.Count == 0, "reported without a probe: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryListedFeatureIsReported()
    {
        using var m = new SystemMachine();
        foreach (Feature f in Features)
        {
            // A PC machine adds the TSC-deadline timer and x2APIC when it wires its local APIC (Emulator/Machines).
            (uint _, uint ebx, uint ecx, uint edx) = CpuIdentification.Query(m.Cpu.SystemRegisters.Features | CpuFeatures.TscDeadline | CpuFeatures.X2Apic, f.Leaf, 0);
            uint value = f.Register switch { 'b' => ebx, 'c' => ecx, _ => edx };
            Assert.True((value & (1u << f.Bit)) != 0, $"{f.Name} is not reported");
        }
    }

    [Theory]
    [MemberData(nameof(Probed))]
    public void ReportedFeatureWorks(string name)
    {
        Feature f = Features.Single(x => x.Name == name);
        using var m = new SystemMachine();
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(esi, (uint)Data);
            f.Probe!(a);
            a.mov(r15d, (uint)Done);
            a.hlt();
        });

        Assert.Equal(StopReason.Halted, m.Run());
        Assert.True(m.State.Gpr[15] == Done, $"{name}: the probe ended at RIP 0x{m.State.Rip:X}, not at its end (an exception was delivered)");
    }

    private static void SetCr4(Assembler a, ulong bit)
    {
        a.mov(rax, cr4);
        a.or(rax, (int)bit);
        a.mov(cr4, rax);
    }

    private static void SetEfer(Assembler a, ulong bit)
    {
        a.mov(ecx, MsrIndex.Efer);
        a.rdmsr();
        a.or(eax, (int)bit);
        a.wrmsr();
    }

    private sealed record Feature(uint Leaf, char Register, int Bit, string Name, Action<Assembler>? Probe, string? CoveredBy = null);
}
