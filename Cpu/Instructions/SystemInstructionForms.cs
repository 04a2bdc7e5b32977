using Cpu.Semantics;
using Iced.Intel;
using static Cpu.Instructions.InstructionTraits;

namespace Cpu.Instructions;

/// <summary>
/// The system instructions (<see cref="System.SystemInstructions"/>): the block ends after each. Compiled code
/// calls them like any other semantics and then leaves its block with the RIP they set (for SYSCALL, SYSRET,
/// IRET, INT and far transfers, the target), chaining on into the next compiled block when the dispatcher
/// would have nothing to do at that boundary (<c>Processor.MayChainAfterBlockEnd</c>). Only the few that must
/// leave compiled code by nature (waiting, SMM) are left to the interpreter.
/// </summary>
internal static class SystemInstructionForms
{
    // Switch the mode or privilege level, load segments, transfer far or deliver an interrupt: the target is
    // only known at run time, and the dispatcher's checks (interrupts, mode) come before the next block.
    private static readonly Mnemonic[] Transfers =
    [
        Mnemonic.Iret, Mnemonic.Iretd, Mnemonic.Iretq, Mnemonic.Int, Mnemonic.Int1, Mnemonic.Int3, Mnemonic.Into,
        Mnemonic.Syscall, Mnemonic.Sysenter, Mnemonic.Retf, Mnemonic.Lss, Mnemonic.Lds, Mnemonic.Les, Mnemonic.Lfs, Mnemonic.Lgs,
    ];

    // Intel SDM Vol. 3A 5.9 (privileged instructions), plus SWAPGS and SYSRET/SYSEXIT, which are CPL 0 only.
    // WRMSR and the descriptor-table, TLB and control-register instructions may change what the next block
    // sees (EFER, the GS base, paging), so the block ends after them; they still run from compiled code.
    private static readonly Mnemonic[] PrivilegedTransfers =
    [
        Mnemonic.Sysret, Mnemonic.Sysretq, Mnemonic.Sysexit, Mnemonic.Sysexitq, Mnemonic.Swapgs, Mnemonic.Wrmsr,
        Mnemonic.Lgdt, Mnemonic.Lidt, Mnemonic.Lldt, Mnemonic.Ltr, Mnemonic.Clts, Mnemonic.Invlpg, Mnemonic.Invpcid, Mnemonic.Lmsw,
        Mnemonic.Xsetbv,
    ];

    // The block still ends after these (they may read the clock or leave state the decoder must see again).
    private static readonly Mnemonic[] Queries =
    [
        Mnemonic.Sgdt, Mnemonic.Sidt, Mnemonic.Sldt, Mnemonic.Str, Mnemonic.Cpuid, Mnemonic.Rdtsc, Mnemonic.Rdtscp, Mnemonic.Rdpmc,
        Mnemonic.Lar, Mnemonic.Lsl, Mnemonic.Verr, Mnemonic.Verw, Mnemonic.Smsw, Mnemonic.Xgetbv, Mnemonic.Rdfsbase, Mnemonic.Rdgsbase,
        Mnemonic.Wrfsbase, Mnemonic.Wrgsbase, Mnemonic.Arpl, Mnemonic.Rdpid, Mnemonic.Clac, Mnemonic.Stac,
    ];

    private static readonly Mnemonic[] PrivilegedQueries = [Mnemonic.Rdmsr, Mnemonic.Wbinvd, Mnemonic.Invd, Mnemonic.Wbnoinvd];

    // Left to the interpreter: MONITOR/MWAIT would wait for a store and RSM leave system-management mode;
    // neither is implemented (CPUID does not report them), so each raises #UD, counted as undefined.
    private static readonly Mnemonic[] Waiting = [Mnemonic.Monitor, Mnemonic.Mwait, Mnemonic.Rsm];

    public static void Declare(InstructionTableBuilder b)
    {
        foreach (Mnemonic m in (Mnemonic[])[.. Transfers, .. Queries])
        {
            b.Declare(m, SystemForms.System).With(EndsBlock | MayFault);
        }

        foreach (Mnemonic m in (Mnemonic[])[.. PrivilegedTransfers, .. PrivilegedQueries])
        {
            b.Declare(m, SystemForms.System).With(EndsBlock | MayFault | InstructionTraits.Privileged);
        }

        foreach (Mnemonic m in Waiting)
        {
            b.Declare(m, SystemForms.System).With(EndsBlock | Interpreted | MayFault);
        }

        // Protection keys: PKRU is read and written at any CPL; the MMU applies a new value at the next access.
        b.Declare(Mnemonic.Rdpkru, ProtectionKeys.Rdpkru).With(MayFault);
        b.Declare(Mnemonic.Wrpkru, ProtectionKeys.Wrpkru).With(MayFault);

        // HLT: compiled code calls it and leaves; the run loop then waits for an interrupt.
        b.Declare(Mnemonic.Hlt, SystemForms.Hlt).With(EndsBlock | MayFault | InstructionTraits.Privileged);

        // UD0/UD1/UD2 raise #UD by definition.
        foreach (Mnemonic m in (Mnemonic[])[Mnemonic.Ud0, Mnemonic.Ud1, Mnemonic.Ud2])
        {
            b.Declare(m, Undefined.Execute).With(EndsBlock | MayFault);
        }
    }
}
