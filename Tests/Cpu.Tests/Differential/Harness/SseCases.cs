using System.Runtime.Intrinsics;
using Cpu.Instructions;
using Cpu.Semantics.Float;
using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// Differential cases for the legacy-encoded SSE-SSE4.2 instructions on XMM registers, generated from Iced's
/// operand description of each <see cref="Code"/>: random XMM registers filled with edge-weighted lanes of
/// the instruction's element type, a random MXCSR (rounding mode, DAZ, FTZ, sticky flags; exceptions
/// masked), general registers, and the memory operand at [RSI] (16-byte aligned, holding lanes of the same kind).
/// The MMX-register forms (<see cref="MmxCodes"/>) start from a random x87 state too (TOP, tags, exponents),
/// their MMX registers holding lanes of the same kind, so the comparison of FSW, the tag byte and ST0-ST7
/// after them checks the aliasing: TOP 0, every register valid, all-ones exponents where written.
/// </summary>
public static class SseCases
{
    public const int CasesPerVariant = 60;

    /// <summary>
    /// RCP/RSQRT: the SDM's bound on the host's relative error (1.5 * 2^-12), plus the emulator's own from
    /// rounding the exact value to a single (2^-24), with a margin.
    /// </summary>
    public const double ApproximationTolerance = (1.5 / 4096) + (1.0 / (1 << 22));

    private static readonly Register[] Gprs =
    [
        Register.RAX, Register.RCX, Register.RDX, Register.RBX, Register.RBP, Register.RDI,
        Register.R8, Register.R9, Register.R10, Register.R11, Register.R12, Register.R13, Register.R14, Register.R15,
    ];

    /// <summary>Every declared SSE-SSE4.2 <see cref="Code"/> with XMM operands (Cpu/Instructions/SseInstructionForms).</summary>
    public static IEnumerable<Code> Codes() => Enum.GetValues<Code>().Where(c => IsSseXmmForm(c) && InstructionTable.Find(c) is not null);

    /// <summary>An SSE-SSE4.2 instruction with XMM operands and no MMX register, legacy-encoded, valid in 64-bit mode.</summary>
    public static bool IsSseXmmForm(Code code) => code.ToOpCode().Mode64 && SseInstructionForms.IsSimdXmmForm(code.ToOpCode());

    /// <summary>Every declared <see cref="Code"/> with an MMX register operand, and EMMS (Cpu/Instructions/MmxInstructionForms).</summary>
    public static IEnumerable<Code> MmxCodes() => Enum.GetValues<Code>().Where(c => IsMmxForm(c) && InstructionTable.Find(c) is not null);

    /// <summary>A legacy-encoded instruction with an MMX register operand valid in 64-bit mode, or EMMS.</summary>
    public static bool IsMmxForm(Code code) => code == Code.Emms || (code.ToOpCode().Mode64 && MmxInstructionForms.IsMmxForm(code.ToOpCode()));

    /// <summary>The register form (when the r/m operand may be a register) and the memory form (when it may be memory).</summary>
    public static IEnumerable<bool> Variants(Code code)
    {
        OpCodeInfo info = code.ToOpCode();
        var kinds = Enumerable.Range(0, info.OpCount).Select(i => info.GetOpKind(i).ToString()).ToList();
        bool memOnly = kinds.Contains("mem");
        bool regOnly = !kinds.Any(k => k.EndsWith("_or_mem", StringComparison.Ordinal) || k == "mem");
        if (!memOnly)
        {
            yield return false;
        }

        if (!regOnly)
        {
            yield return true;
        }
    }

    public static IEnumerable<DiffCase> Generate(Code code)
    {
        foreach (bool memory in Variants(code))
        {
            string form = code + (memory ? " mem" : " reg");
            var rng = new Random(SnippetCases.StableHash(form));
            // PCMPxSTRx: four aggregations, four polarities, two outputs and four element types in imm8.
            int count = IsStringCompare(code.Mnemonic()) ? 5 * CasesPerVariant : CasesPerVariant;
            for (int i = 0; i < count; i++)
            {
                yield return Build(code, memory, form, rng);
            }
        }
    }

    private static DiffCase Build(Code code, bool memory, string form, Random rng)
    {
        var b = new CaseBuilder(rng);
        OpCodeInfo info = code.ToOpCode();
        Lane lane = LaneOf(info.MemorySize, code.Mnemonic());
        bool strings = IsStringCompare(code.Mnemonic());
        Func<ulong> value = strings ? () => StringBytes(rng) : () => Value(rng, lane);
        var xmm = new Vector128<ulong>[16];
        for (int i = 0; i < 16; i++)
        {
            xmm[i] = Vector128.Create(value(), value());
        }

        ulong address = b.DataAddress(alignment: 16);
        b.SetReg(Register.RSI, address);
        b.Write(address, 8, value());
        b.Write(address + 8, 8, value());
        if (rng.Next(4) == 0)
        {
            // Small integers make exact conversions and meaningful shift counts likely.
            Register r = Gprs[rng.Next(Gprs.Length)];
            b.SetReg(r, (ulong)rng.Next(-40, 200));
        }

        // MASKMOVDQU stores at [RDI]: the data buffer (set after the random register above, which may be RDI).
        b.SetReg(Register.RDI, address);
        if (strings && rng.Next(8) != 0)
        {
            // PCMPESTRx lengths: mostly within the element count, negative ones too (their absolute value counts).
            b.SetReg(Register.RAX, (ulong)rng.Next(-20, 20));
            b.SetReg(Register.RDX, (ulong)rng.Next(-20, 20));
        }

        // The MMX registers: the significands of R0-R7, each with lanes of the instruction's kind.
        bool mmx = IsMmxForm(code);
        ulong[] mm = new ulong[8];
        for (int i = 0; mmx && i < 8; i++)
        {
            mm[i] = value();
        }

        uint mxcsr = 0x1F80 | ((uint)rng.Next(4) << 13) | (rng.Next(4) == 0 ? 1u << 6 : 0) | (rng.Next(4) == 0 ? 1u << 15 : 0) | (rng.Next(2) == 0 ? (uint)rng.Next(64) : 0);
        var ops = new object[info.OpCount];
        for (int i = 0; i < info.OpCount; i++)
        {
            string kind = info.GetOpKind(i).ToString();
            ops[i] = kind switch
            {
                "imm8" => Immediate(rng, code.Mnemonic()),
                "mem" => new MemoryOperand(Register.RSI),
                "seg_rDI" => Register.RDI,
                _ when memory && kind.EndsWith("_or_mem", StringComparison.Ordinal) => new MemoryOperand(Register.RSI),
                _ when kind.StartsWith("xmm", StringComparison.Ordinal) => Register.XMM0 + rng.Next(16),
                _ when kind.StartsWith("mm", StringComparison.Ordinal) => Register.MM0 + rng.Next(8),
                _ when kind.StartsWith("r64", StringComparison.Ordinal) => Gprs[rng.Next(Gprs.Length)],
                _ when kind.StartsWith("r32", StringComparison.Ordinal) => Gprs[rng.Next(Gprs.Length)] - Register.RAX + Register.EAX,
                _ => throw new NotSupportedException($"{code}: operand kind {kind}"),
            };
        }

        Instruction ins = code switch
        {
            Code.Maskmovdqu_rDI_xmm_xmm => Instruction.CreateMaskmovdqu(64, (Register)ops[1], (Register)ops[2]),
            Code.Maskmovq_rDI_mm_mm => Instruction.CreateMaskmovq(64, (Register)ops[1], (Register)ops[2]),
            _ => Create(code, ops),
        };
        byte[] bytes = Encode(ins);
        DiffCase c = b.Build(form, bytes);
        return new DiffCase
        {
            Form = c.Form,
            Code = c.Code,
            Gpr = c.Gpr,
            Flags = c.Flags,
            Data = c.Data,
            Stack = c.Stack,
            Fpu = mmx ? FpuImage.WithSse(FpuImage.WithMmx(X87Cases.Image(rng), mm, rng), mxcsr, xmm) : FpuImage.WithSse(mxcsr, xmm),
            XmmSingleTolerance = code.Mnemonic() is Mnemonic.Rcpps or Mnemonic.Rcpss or Mnemonic.Rsqrtps or Mnemonic.Rsqrtss ? ApproximationTolerance : 0,
        };
    }

    private static int Immediate(Random rng, Mnemonic m) => m switch
    {
        Mnemonic.Cmpss or Mnemonic.Cmpsd or Mnemonic.Cmpps or Mnemonic.Cmppd => rng.Next(8),
        Mnemonic.Psllw or Mnemonic.Pslld or Mnemonic.Psllq or Mnemonic.Psrlw or Mnemonic.Psrld or Mnemonic.Psrlq or Mnemonic.Psraw or Mnemonic.Psrad
            or Mnemonic.Pslldq or Mnemonic.Psrldq => rng.Next(4) == 0 ? rng.Next(256) : rng.Next(70),
        _ => rng.Next(256),
    };

    private static bool IsStringCompare(Mnemonic m) => m is Mnemonic.Pcmpestri or Mnemonic.Pcmpestrm or Mnemonic.Pcmpestri64 or Mnemonic.Pcmpestrm64 or Mnemonic.Pcmpistri or Mnemonic.Pcmpistrm;

    /// <summary>Eight bytes from a small alphabet (zero terminators, repeated letters, signed extremes), so matches and ends are common.</summary>
    private static ulong StringBytes(Random rng)
    {
        ReadOnlySpan<byte> alphabet = [0, (byte)'a', (byte)'b', (byte)'c', (byte)'z', 0x7F, 0x80, 0xFF];
        ulong v = 0;
        for (int i = 0; i < 8; i++)
        {
            v |= (ulong)alphabet[rng.Next(rng.Next(4) == 0 ? alphabet.Length : 4)] << (8 * i);
        }

        return v;
    }

    private static Instruction Create(Code code, object[] ops) => ops switch
    {
        [] => Instruction.Create(code),
        [Register a, Register b] => Instruction.Create(code, a, b),
        [Register a, MemoryOperand b] => Instruction.Create(code, a, b),
        [MemoryOperand a, Register b] => Instruction.Create(code, a, b),
        [Register a, int imm] => Instruction.Create(code, a, imm),
        [Register a, Register b, int imm] => Instruction.Create(code, a, b, imm),
        [Register a, MemoryOperand b, int imm] => Instruction.Create(code, a, b, imm),
        [MemoryOperand a, Register b, int imm] => Instruction.Create(code, a, b, imm),
        _ => throw new NotSupportedException($"{code}: {ops.Length} operands"),
    };

    private static byte[] Encode(Instruction ins)
    {
        var writer = new Writer();
        var encoder = Encoder.Create(64, writer);
        encoder.Encode(ins, HarnessLayout.SnippetAddress);
        return [.. writer.Bytes];
    }

    private enum Lane
    {
        Single,
        Double,
        Integer,
    }

    private static Lane LaneOf(MemorySize size, Mnemonic m)
    {
        string name = size.ToString();
        if (name.Contains("Float32", StringComparison.Ordinal) || m is Mnemonic.Cvtss2sd or Mnemonic.Cvtss2si or Mnemonic.Cvttss2si or Mnemonic.Cvtps2pd or
            Mnemonic.Cvtps2dq or Mnemonic.Cvttps2dq)
        {
            return Lane.Single;
        }

        return name.Contains("Float64", StringComparison.Ordinal) ? Lane.Double : Lane.Integer;
    }

    private static ulong Value(Random rng, Lane lane) => lane switch
    {
        Lane.Single => FloatValues.Interesting(rng, FloatFormat.Single) | (FloatValues.Interesting(rng, FloatFormat.Single) << 32),
        Lane.Double => FloatValues.Interesting(rng, FloatFormat.Double),
        _ => rng.Next(4) switch
        {
            0 => (ulong)rng.Next(-300, 300),
            1 => 0x8000_7FFF_0080_FF7FUL ^ (ulong)rng.Next(256),
            _ => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 33),
        },
    };

    private sealed class Writer : CodeWriter
    {
        public List<byte> Bytes { get; } = [];

        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
