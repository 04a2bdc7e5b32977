using Cpu.Semantics;
using Iced.Intel;
using static Cpu.Instructions.InstructionTraits;

namespace Cpu.Instructions;

/// <summary>
/// The system instructions (<see cref="System.SystemInstructions"/>): each may change the mode, paging,
/// descriptor tables or control flow, so the block ends after it and the interpreter runs it.
/// </summary>
internal static class SystemInstructionForms
{
    private static readonly Mnemonic[] Unprivileged =
    [
        Mnemonic.Iret, Mnemonic.Iretd, Mnemonic.Iretq, Mnemonic.Int, Mnemonic.Int1, Mnemonic.Int3, Mnemonic.Into,
        Mnemonic.Syscall, Mnemonic.Sysenter, Mnemonic.Sgdt, Mnemonic.Sidt, Mnemonic.Sldt, Mnemonic.Str, Mnemonic.Cpuid,
        Mnemonic.Rdtsc, Mnemonic.Rdtscp, Mnemonic.Rdpmc, Mnemonic.Retf, Mnemonic.Lar, Mnemonic.Lsl, Mnemonic.Verr, Mnemonic.Verw,
        Mnemonic.Smsw, Mnemonic.Xgetbv, Mnemonic.Rdfsbase, Mnemonic.Rdgsbase, Mnemonic.Wrfsbase, Mnemonic.Wrgsbase, Mnemonic.Lss,
        Mnemonic.Lds, Mnemonic.Les, Mnemonic.Lfs, Mnemonic.Lgs, Mnemonic.Arpl, Mnemonic.Rdpid, Mnemonic.Monitor, Mnemonic.Mwait,
        Mnemonic.Clac, Mnemonic.Stac,
    ];

    // Intel SDM Vol. 3A 5.9 (privileged instructions), plus SWAPGS, SYSRET/SYSEXIT and RSM, which are CPL 0 only.
    private static readonly Mnemonic[] Privileged =
    [
        Mnemonic.Sysret, Mnemonic.Sysretq, Mnemonic.Sysexit, Mnemonic.Sysexitq, Mnemonic.Swapgs, Mnemonic.Rdmsr, Mnemonic.Wrmsr,
        Mnemonic.Lgdt, Mnemonic.Lidt, Mnemonic.Lldt, Mnemonic.Ltr, Mnemonic.Clts, Mnemonic.Invlpg, Mnemonic.Invpcid, Mnemonic.Lmsw,
        Mnemonic.Wbinvd, Mnemonic.Invd, Mnemonic.Xsetbv, Mnemonic.Rsm, Mnemonic.Wbnoinvd,
    ];

    public static void Declare(InstructionTableBuilder b)
    {
        foreach (Mnemonic m in Unprivileged)
        {
            b.Declare(m, SystemForms.System).With(EndsBlock | Interpreted | MayFault);
        }

        foreach (Mnemonic m in Privileged)
        {
            b.Declare(m, SystemForms.System).With(EndsBlock | Interpreted | MayFault | InstructionTraits.Privileged);
        }

        b.Declare(Mnemonic.Hlt, SystemForms.Hlt).With(EndsBlock | Interpreted | MayFault | InstructionTraits.Privileged);

        // UD0/UD1/UD2 raise #UD by definition.
        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Ud0, Mnemonic.Ud1, Mnemonic.Ud2])
        {
            b.Declare(m, Undefined.Execute).With(EndsBlock | Interpreted | MayFault);
        }
    }
}
