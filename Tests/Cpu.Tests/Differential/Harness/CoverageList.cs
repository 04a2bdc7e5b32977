using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// The integer mnemonics issue 3 names, and for each of its encodings the variants the differential tests
/// must generate: every Iced <see cref="Code"/> (one per operand size and encoding) valid in 64-bit mode,
/// with its r/m operand as a register and as memory, and string instructions with each repeat prefix they take.
/// Encodings that cannot be compared with the host at user level are listed with the reason and the unit test that covers them instead.
/// </summary>
public static class CoverageList
{
    public const int MinimumCases = 100;

    public static readonly Mnemonic[] Mnemonics =
    [
        // Data movement.
        Mnemonic.Mov, Mnemonic.Movzx, Mnemonic.Movsx, Mnemonic.Movsxd, Mnemonic.Xchg, Mnemonic.Bswap, Mnemonic.Xadd,
        Mnemonic.Cmpxchg, Mnemonic.Cmpxchg8b, Mnemonic.Cmpxchg16b, Mnemonic.Lea, Mnemonic.Movbe, Mnemonic.Movnti,
        Mnemonic.Cbw, Mnemonic.Cwde, Mnemonic.Cdqe, Mnemonic.Cwd, Mnemonic.Cdq, Mnemonic.Cqo,
        .. ConditionalTests.Cmovs,

        // ALU, shifts and rotates.
        Mnemonic.Add, Mnemonic.Adc, Mnemonic.Sub, Mnemonic.Sbb, Mnemonic.Cmp, Mnemonic.Neg, Mnemonic.Inc, Mnemonic.Dec,
        Mnemonic.And, Mnemonic.Or, Mnemonic.Xor, Mnemonic.Test, Mnemonic.Not,
        Mnemonic.Shl, Mnemonic.Sal, Mnemonic.Shr, Mnemonic.Sar, Mnemonic.Rol, Mnemonic.Ror, Mnemonic.Rcl, Mnemonic.Rcr,
        Mnemonic.Shld, Mnemonic.Shrd,
        Mnemonic.Mul, Mnemonic.Imul, Mnemonic.Div, Mnemonic.Idiv,

        // Bit operations, with the BMI1 group.
        Mnemonic.Bt, Mnemonic.Bts, Mnemonic.Btr, Mnemonic.Btc, Mnemonic.Bsf, Mnemonic.Bsr,
        Mnemonic.Tzcnt, Mnemonic.Lzcnt, Mnemonic.Popcnt, Mnemonic.Crc32,
        Mnemonic.Andn, Mnemonic.Bextr, Mnemonic.Blsi, Mnemonic.Blsmsk, Mnemonic.Blsr,

        // Strings.
        Mnemonic.Movsb, Mnemonic.Movsw, Mnemonic.Movsd, Mnemonic.Movsq, Mnemonic.Stosb, Mnemonic.Stosw, Mnemonic.Stosd, Mnemonic.Stosq,
        Mnemonic.Lodsb, Mnemonic.Lodsw, Mnemonic.Lodsd, Mnemonic.Lodsq, Mnemonic.Cmpsb, Mnemonic.Cmpsw, Mnemonic.Cmpsd, Mnemonic.Cmpsq,
        Mnemonic.Scasb, Mnemonic.Scasw, Mnemonic.Scasd, Mnemonic.Scasq, Mnemonic.Xlatb,

        // Stack and control flow.
        Mnemonic.Push, Mnemonic.Pop, Mnemonic.Call, Mnemonic.Ret, Mnemonic.Jmp,
        Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne, Mnemonic.Jbe, Mnemonic.Ja,
        Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl, Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg,
        Mnemonic.Jrcxz, Mnemonic.Jecxz, Mnemonic.Loop, Mnemonic.Loope, Mnemonic.Loopne, Mnemonic.Enter, Mnemonic.Leave,

        // Conditions and flags.
        .. ConditionalTests.Setccs,
        Mnemonic.Lahf, Mnemonic.Sahf, Mnemonic.Pushf, Mnemonic.Pushfq, Mnemonic.Popf, Mnemonic.Popfq,
        Mnemonic.Clc, Mnemonic.Stc, Mnemonic.Cmc, Mnemonic.Cld, Mnemonic.Std,

        // Miscellaneous.
        Mnemonic.Cpuid, Mnemonic.Rdtsc, Mnemonic.Rdtscp, Mnemonic.Rdpmc, Mnemonic.Pause, Mnemonic.Nop, Mnemonic.Ud2,
    ];

    /// <summary>Every variant the differential tests must generate, or the reason it is covered elsewhere.</summary>
    public static IEnumerable<(string Key, string? Exemption)> Required()
    {
        var wanted = new HashSet<Mnemonic>(Mnemonics);
        foreach (Code code in Enum.GetValues<Code>())
        {
            OpCodeInfo info = code.ToOpCode();
            if (!wanted.Contains(code.Mnemonic()) || !info.IsInstruction || !info.Mode64 ||
                info.Encoding is not (EncodingKind.Legacy or EncodingKind.VEX) || UsesVectorRegisters(info) ||
                code.CpuidFeatures().Contains(CpuidFeature.KNC))
            {
                continue;
            }

            string? exemption = Exemption(code, info);
            foreach (string variant in Variants(code, info))
            {
                yield return (code + variant, exemption);
            }
        }
    }

    /// <summary>The keys one decoded instruction counts for.</summary>
    public static string KeyOf(in Instruction ins)
    {
        OpCodeInfo info = ins.Code.ToOpCode();
        bool memory = false;
        for (int i = 0; i < ins.OpCount; i++)
        {
            memory |= ins.GetOpKind(i) == OpKind.Memory;
        }

        string variant = HasRm(info) ? (memory ? " mem" : " reg") : "";
        if (IsString(ins.Mnemonic))
        {
            variant += ins.HasRepnePrefix ? " REPNE" : ins.HasRepPrefix ? (Compares(ins.Mnemonic) ? " REPE" : " REP") : "";
        }

        return ins.Code + variant;
    }

    private static IEnumerable<string> Variants(Code code, OpCodeInfo info)
    {
        Mnemonic m = code.Mnemonic();
        if (IsString(m))
        {
            yield return "";
            if (m is not (Mnemonic.Xlatb))
            {
                yield return Compares(m) ? " REPE" : " REP";
            }

            if (Compares(m))
            {
                yield return " REPNE";
            }

            yield break;
        }

        if (!HasRm(info))
        {
            yield return "";
            yield break;
        }

        bool memOnly = Enumerable.Range(0, info.OpCount).Any(i => info.GetOpKind(i) is OpCodeOperandKind.mem);
        if (!memOnly)
        {
            yield return " reg";
        }

        yield return " mem";
    }

    /// <summary>Why an encoding is not compared with the host, and what tests it instead; null when it must be compared.</summary>
    private static string? Exemption(Code code, OpCodeInfo info)
    {
        for (int i = 0; i < info.OpCount; i++)
        {
            OpCodeOperandKind k = info.GetOpKind(i);
            if (k is OpCodeOperandKind.seg_reg or OpCodeOperandKind.es or OpCodeOperandKind.cs or OpCodeOperandKind.ss or
                OpCodeOperandKind.ds or OpCodeOperandKind.fs or OpCodeOperandKind.gs)
            {
                return "segment register load/store: descriptor checks, System/SegmentLoadTests (a host load would break the test process's TLS)";
            }

            if (k is OpCodeOperandKind.cr_reg or OpCodeOperandKind.dr_reg or OpCodeOperandKind.tr_reg)
            {
                return "control/debug register: privileged, System/SystemRegisterTests and PagingTransitionTests";
            }
        }

        if (info.MemorySize is MemorySize.SegPtr16 or MemorySize.SegPtr32 or MemorySize.SegPtr64)
        {
            return "far transfer: descriptor checks, System/ProtectedModeTests and TransitionTests";
        }

        if (info.OperandSize == 16 && IsNearBranch(code.Mnemonic()))
        {
            return "AMD-only decoding (Iced DecoderOptions.AMD): an Intel CPU, as the emulator reports itself, ignores 66h on near branches in 64-bit mode, " +
                   "and the AMD host would truncate RIP to 16 bits; Interpreter/ModeAndControlTests.OperandSizePrefixOnNearBranchesIsIgnoredIn64BitMode";
        }

        return code.Mnemonic() switch
        {
            Mnemonic.Cpuid => "values are the emulator's own: System/SystemRegisterTests.CpuidReportsAnHonestFeatureSet, CpuidInstructionFillsTheFourRegisters, and System/CpuidHonestyTests (every reported bit probed)",
            Mnemonic.Rdtsc or Mnemonic.Rdtscp => "values are the emulator's time source: System/SystemRegisterTests.RdtscReadsTheMachineTimeSourceAndCr4TsdRestrictsItToCpl0",
            Mnemonic.Rdpmc => "privileged unless CR4.PCE: System/SystemRegisterTests.RdpmcAtCpl3WithoutCr4PceIsGeneralProtection, FixedCounterZeroCountsRetiredInstructionsOnlyInEnabledRings",
            Mnemonic.Ud2 => "#UD would kill the host process: Interpreter/ModeAndControlTests.UnimplementedInstructionRaisesInvalidOpcodeAndIsCounted",
            _ => null,
        };
    }

    private static bool IsNearBranch(Mnemonic m) =>
        m is Mnemonic.Call or Mnemonic.Jmp or Mnemonic.Ret or Mnemonic.Loop or Mnemonic.Loope or Mnemonic.Loopne or Mnemonic.Jrcxz or Mnemonic.Jecxz ||
        IsJcc(m);

    private static bool IsJcc(Mnemonic m) => m is
        Mnemonic.Jo or Mnemonic.Jno or Mnemonic.Jb or Mnemonic.Jae or Mnemonic.Je or Mnemonic.Jne or Mnemonic.Jbe or Mnemonic.Ja or
        Mnemonic.Js or Mnemonic.Jns or Mnemonic.Jp or Mnemonic.Jnp or Mnemonic.Jl or Mnemonic.Jge or Mnemonic.Jle or Mnemonic.Jg;

    private static bool HasRm(OpCodeInfo info) =>
        Enumerable.Range(0, info.OpCount).Any(i => InstructionForm.IsRegOrMem(info.GetOpKind(i)) || info.GetOpKind(i) is OpCodeOperandKind.mem);

    private static bool UsesVectorRegisters(OpCodeInfo info) =>
        Enumerable.Range(0, info.OpCount).Any(i =>
        {
            string k = info.GetOpKind(i).ToString();
            return k.StartsWith("xmm", StringComparison.Ordinal) || k.StartsWith("ymm", StringComparison.Ordinal) ||
                   k.StartsWith("mm", StringComparison.Ordinal) || k.StartsWith("st", StringComparison.Ordinal);
        });

    private static bool IsString(Mnemonic m) => m is
        Mnemonic.Movsb or Mnemonic.Movsw or Mnemonic.Movsd or Mnemonic.Movsq or Mnemonic.Stosb or Mnemonic.Stosw or Mnemonic.Stosd or Mnemonic.Stosq or
        Mnemonic.Lodsb or Mnemonic.Lodsw or Mnemonic.Lodsd or Mnemonic.Lodsq or Mnemonic.Xlatb || Compares(m);

    private static bool Compares(Mnemonic m) => m is
        Mnemonic.Cmpsb or Mnemonic.Cmpsw or Mnemonic.Cmpsd or Mnemonic.Cmpsq or Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd or Mnemonic.Scasq;
}
