using Cpu.Semantics;
using Iced.Intel;
using static Cpu.Instructions.InstructionTraits;

namespace Cpu.Instructions;

/// <summary>
/// The system instructions (<see cref="System.SystemInstructions"/>): the block ends after each; those
/// that change the mode, paging, descriptor tables or control flow are left to the interpreter.
/// </summary>
internal static class SystemInstructionForms
{
    // Leave compiled code by nature: they switch the mode or privilege level, load segments or descriptor
    // tables, change paging or control registers, transfer far, or wait.
    private static readonly Mnemonic[] ModeChanging =
    [
        Mnemonic.Iret, Mnemonic.Iretd, Mnemonic.Iretq, Mnemonic.Int, Mnemonic.Int1, Mnemonic.Int3, Mnemonic.Into,
        Mnemonic.Syscall, Mnemonic.Sysenter, Mnemonic.Retf, Mnemonic.Lss, Mnemonic.Lds, Mnemonic.Les, Mnemonic.Lfs, Mnemonic.Lgs,
        Mnemonic.Monitor, Mnemonic.Mwait,
    ];

    // Intel SDM Vol. 3A 5.9 (privileged instructions), plus SWAPGS, SYSRET/SYSEXIT and RSM, which are CPL 0 only.
    private static readonly Mnemonic[] PrivilegedModeChanging =
    [
        Mnemonic.Sysret, Mnemonic.Sysretq, Mnemonic.Sysexit, Mnemonic.Sysexitq, Mnemonic.Swapgs, Mnemonic.Wrmsr,
        Mnemonic.Lgdt, Mnemonic.Lidt, Mnemonic.Lldt, Mnemonic.Ltr, Mnemonic.Clts, Mnemonic.Invlpg, Mnemonic.Invpcid, Mnemonic.Lmsw,
        Mnemonic.Xsetbv, Mnemonic.Rsm,
    ];

    // The block still ends after these (they may read the clock or leave state the decoder must see again),
    // but compiled code calls them and then leaves, as the interpreter does.
    private static readonly Mnemonic[] CalledFromCompiledCode =
    [
        Mnemonic.Sgdt, Mnemonic.Sidt, Mnemonic.Sldt, Mnemonic.Str, Mnemonic.Cpuid, Mnemonic.Rdtsc, Mnemonic.Rdtscp, Mnemonic.Rdpmc,
        Mnemonic.Lar, Mnemonic.Lsl, Mnemonic.Verr, Mnemonic.Verw, Mnemonic.Smsw, Mnemonic.Xgetbv, Mnemonic.Rdfsbase, Mnemonic.Rdgsbase,
        Mnemonic.Wrfsbase, Mnemonic.Wrgsbase, Mnemonic.Arpl, Mnemonic.Rdpid, Mnemonic.Clac, Mnemonic.Stac,
    ];

    private static readonly Mnemonic[] PrivilegedCalledFromCompiledCode = [Mnemonic.Rdmsr, Mnemonic.Wbinvd, Mnemonic.Invd, Mnemonic.Wbnoinvd];

    public static void Declare(InstructionTableBuilder b)
    {
        foreach (Mnemonic m in ModeChanging)
        {
            b.Declare(m, SystemForms.System).With(EndsBlock | Interpreted | MayFault);
        }

        foreach (Mnemonic m in PrivilegedModeChanging)
        {
            b.Declare(m, SystemForms.System).With(EndsBlock | Interpreted | MayFault | InstructionTraits.Privileged);
        }

        foreach (Mnemonic m in CalledFromCompiledCode)
        {
            b.Declare(m, SystemForms.System).With(EndsBlock | MayFault);
        }

        foreach (Mnemonic m in PrivilegedCalledFromCompiledCode)
        {
            b.Declare(m, SystemForms.System).With(EndsBlock | MayFault | InstructionTraits.Privileged);
        }

        // Protection keys: PKRU is read and written at any CPL; the MMU applies a new value at the next access.
        b.Declare(Mnemonic.Rdpkru, ProtectionKeys.Rdpkru).With(MayFault);
        b.Declare(Mnemonic.Wrpkru, ProtectionKeys.Wrpkru).With(MayFault);

        b.Declare(Mnemonic.Hlt, SystemForms.Hlt).With(EndsBlock | Interpreted | MayFault | InstructionTraits.Privileged);

        // UD0/UD1/UD2 raise #UD by definition.
        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Ud0, Mnemonic.Ud1, Mnemonic.Ud2])
        {
            b.Declare(m, Undefined.Execute).With(EndsBlock | Interpreted | MayFault);
        }
    }
}
