using Iced.Intel;

namespace Cpu.Decode;

/// <summary>Classifies mnemonics for the interpreter: which go to the system instructions, which end a block.</summary>
public static class InstructionClass
{
    private static readonly bool[] System = new bool[Enum.GetValues<Mnemonic>().Length + 1];
    private static readonly bool[] BlockEnd = new bool[Enum.GetValues<Mnemonic>().Length + 1];

    static InstructionClass()
    {
        Mnemonic[] system =
        [
            Mnemonic.Iret, Mnemonic.Iretd, Mnemonic.Iretq, Mnemonic.Int, Mnemonic.Int1, Mnemonic.Int3, Mnemonic.Into,
            Mnemonic.Syscall, Mnemonic.Sysret, Mnemonic.Sysretq, Mnemonic.Sysenter, Mnemonic.Sysexit, Mnemonic.Sysexitq,
            Mnemonic.Swapgs, Mnemonic.Rdmsr, Mnemonic.Wrmsr, Mnemonic.Lgdt, Mnemonic.Lidt, Mnemonic.Lldt, Mnemonic.Ltr,
            Mnemonic.Sgdt, Mnemonic.Sidt, Mnemonic.Sldt, Mnemonic.Str, Mnemonic.Clts, Mnemonic.Invlpg, Mnemonic.Invpcid,
            Mnemonic.Cpuid, Mnemonic.Rdtsc, Mnemonic.Rdtscp, Mnemonic.Rdpmc, Mnemonic.Retf, Mnemonic.Lar, Mnemonic.Lsl,
            Mnemonic.Verr, Mnemonic.Verw, Mnemonic.Smsw, Mnemonic.Lmsw, Mnemonic.Wbinvd, Mnemonic.Invd, Mnemonic.Xgetbv,
            Mnemonic.Xsetbv, Mnemonic.Rdfsbase, Mnemonic.Rdgsbase, Mnemonic.Wrfsbase, Mnemonic.Wrgsbase, Mnemonic.Lss,
            Mnemonic.Lds, Mnemonic.Les, Mnemonic.Lfs, Mnemonic.Lgs, Mnemonic.Arpl, Mnemonic.Rdpid, Mnemonic.Monitor,
            Mnemonic.Mwait, Mnemonic.Rsm, Mnemonic.Wbnoinvd, Mnemonic.Clac, Mnemonic.Stac,
        ];
        foreach (var m in system)
        {
            System[(int)m] = true;
            BlockEnd[(int)m] = true;
        }

        Mnemonic[] ends = [Mnemonic.Sti, Mnemonic.Cli, Mnemonic.Popf, Mnemonic.Popfd, Mnemonic.Popfq, Mnemonic.Hlt, Mnemonic.Mov, Mnemonic.Pop, Mnemonic.Ud2, Mnemonic.Ud0, Mnemonic.Ud1];
        foreach (var m in ends)
        {
            BlockEnd[(int)m] = true;
        }

        // MOV and POP end a block only for segment/control/debug register forms; see EndsBlock(Instruction).
        BlockEnd[(int)Mnemonic.Mov] = false;
        BlockEnd[(int)Mnemonic.Pop] = false;
    }

    /// <summary>True for mnemonics handled by <see cref="Cpu.System.SystemInstructions.Execute"/>.</summary>
    public static bool IsSystem(Mnemonic mnemonic) => System[(int)mnemonic];

    /// <summary>True for mnemonics after which the block ends (they may change the mode, IF or the code).</summary>
    public static bool EndsBlock(Mnemonic mnemonic) => BlockEnd[(int)mnemonic];

    /// <summary>True when an instruction's operands make it a system instruction (MOV to/from CRn/DRn).</summary>
    public static bool IsSystemMove(in Instruction ins)
    {
        if (ins.Mnemonic != Mnemonic.Mov || ins.Op0Kind != OpKind.Register)
        {
            return false;
        }

        return IsControlOrDebug(ins.Op0Register) || (ins.Op1Kind == OpKind.Register && IsControlOrDebug(ins.Op1Register));
    }

    /// <summary>True for MOV/POP into a segment register (they may change the mode or start an interrupt shadow).</summary>
    public static bool WritesSegment(in Instruction ins) =>
        (ins.Mnemonic == Mnemonic.Mov || ins.Mnemonic == Mnemonic.Pop) && ins.Op0Kind == OpKind.Register && ins.Op0Register.IsSegmentRegister();

    private static bool IsControlOrDebug(Register r) => r.IsCR() || r.IsDR() || r.IsTR();
}
