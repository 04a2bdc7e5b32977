using System.Buffers.Binary;
using Cpu.Instructions;
using Cpu.Semantics.Float;
using Cpu.State;
using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// Differential cases for the declared x87 instructions: a random stack (TOP, which registers are full,
/// edge-weighted extended values), a random control word (precision and rounding control; exceptions
/// masked, so nothing faults on the host), sticky flags, and the memory operand at [RSI] holding a value
/// of the operand's type.
/// </summary>
public static class X87Cases
{
    public const int CasesPerCode = 80;

    /// <summary>Every declared x87 <see cref="Code"/> valid in 64-bit mode (Cpu/Instructions/X87InstructionForms), but FWAIT-prefixed duplicates.</summary>
    public static IEnumerable<Code> Codes() => Enum.GetValues<Code>().Where(c =>
        c.ToOpCode() is { Mode64: true, IsInstruction: true, Encoding: EncodingKind.Legacy } info && c != Code.Wait
        && c.CpuidFeatures().Contains(CpuidFeature.FPU) && InstructionTable.Find(c) is not null && !IsWaitForm(c));

    private static bool IsWaitForm(Code c) => c is Code.Finit or Code.Fclex or Code.Fstsw_AX or Code.Fstsw_m2byte or Code.Fstcw_m2byte
        or Code.Fstenv_m14byte or Code.Fstenv_m28byte or Code.Fsave_m94byte or Code.Fsave_m108byte;

    public static IEnumerable<DiffCase> Generate(Code code)
    {
        string form = code.ToString();
        var rng = new Random(SnippetCases.StableHash(form));
        for (int i = 0; i < CasesPerCode; i++)
        {
            yield return Build(code, form, rng);
        }
    }

    private static DiffCase Build(Code code, string form, Random rng)
    {
        var b = new CaseBuilder(rng);
        OpCodeInfo info = code.ToOpCode();
        ulong address = b.DataAddress(alignment: 16, margin: 128);
        b.SetReg(Register.RSI, address);
        MemorySize size = info.MemorySize;
        string sizeName = size.ToString();
        (ulong low, ulong high) = sizeName switch
        {
            _ when sizeName.Contains("Float32", StringComparison.Ordinal) => (FloatValues.Interesting(rng, FloatFormat.Single), 0UL),
            _ when sizeName.Contains("Float64", StringComparison.Ordinal) => (FloatValues.Interesting(rng, FloatFormat.Double), 0UL),
            _ when sizeName.Contains("Float80", StringComparison.Ordinal) => Extended(rng),
            _ when size == MemorySize.Bcd => Bcd(rng),
            _ => (rng.Next(3) == 0 ? (ulong)rng.Next(-1000, 1000) : (ulong)rng.NextInt64(), 0UL),
        };
        b.Write(address, 8, low);
        b.Write(address + 8, 8, high);
        if (X87EnvironmentCases.IsEnvironment(size))
        {
            X87EnvironmentCases.Prepare(b, code, address, Image(rng));
        }

        var ops = new object[info.OpCount];
        for (int i = 0; i < info.OpCount; i++)
        {
            string kind = info.GetOpKind(i).ToString();
            ops[i] = kind switch
            {
                "mem" => new MemoryOperand(Register.RSI),
                "st0" => Register.ST0,
                "sti_opcode" => Register.ST0 + rng.Next(8),
                "ax" => Register.AX,
                _ => throw new NotSupportedException($"{code}: operand kind {kind}"),
            };
        }

        Instruction ins = ops switch
        {
            [] => Instruction.Create(code),
            [Register a] => Instruction.Create(code, a),
            [MemoryOperand a] => Instruction.Create(code, a),
            [Register a, Register r] => Instruction.Create(code, a, r),
            _ => throw new NotSupportedException($"{code}: {ops.Length} operands"),
        };
        var writer = new Writer();
        Encoder.Create(64, writer).Encode(ins, HarnessLayout.SnippetAddress);
        DiffCase c = b.Build(form, [.. writer.Bytes]);
        return new DiffCase
        {
            Form = c.Form,
            Code = c.Code,
            Gpr = c.Gpr,
            Flags = c.Flags,
            Data = c.Data,
            Stack = c.Stack,
            UndefinedMemory = c.UndefinedMemory,
            Fpu = X87TranscendentalCases.Shape(code, Image(rng), rng),
            StUlpTolerance = X87TranscendentalCases.Tolerance(code),
        };
    }

    /// <summary>A random x87 state in an FXSAVE image: all exceptions masked, ES clear.</summary>
    public static byte[] Image(Random rng)
    {
        byte[] image = FpuImage.Default();
        ushort control = (ushort)(0x7F | ((rng.Next(4) == 1 ? 3 : rng.Next(4)) << 8) | (rng.Next(4) << 10));
        int top = rng.Next(8);
        ushort status = (ushort)((top << X87State.TopShift) | (rng.Next(3) == 0 ? rng.Next(64) : 0) | (rng.Next(2) == 0 ? 0x4700 & rng.Next() : 0));
        byte tags = (byte)(rng.Next(3) switch { 0 => 0xFF, 1 => rng.Next(256), _ => 0 });
        BinaryPrimitives.WriteUInt16LittleEndian(image, control);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(2), status);
        image[4] = tags;
        for (int i = 0; i < 8; i++)
        {
            (ulong low, ulong high) = Extended(rng);
            BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(32 + (16 * i)), low);
            BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(40 + (16 * i)), (ushort)high);
        }

        return image;
    }

    /// <summary>An edge-weighted extended value in a supported encoding (the integer bit set exactly when the exponent is not zero).</summary>
    public static (ulong Low, ulong High) Extended(Random rng)
    {
        ulong fraction = (ulong)rng.NextInt64() & 0x7FFF_FFFF_FFFF_FFFF;
        if (rng.Next(6) == 0)
        {
            fraction = rng.Next(3) switch { 0 => 0, 1 => 1, _ => 0x7FFF_FFFF_FFFF_FFFF };
        }
        else if (rng.Next(3) == 0)
        {
            // Short significands make results exact or ties likely.
            fraction &= 0x7FFF_FF00_0000_0000;
        }

        int exponent = rng.Next(10) switch
        {
            0 => 0,
            1 => 0x7FFF,
            2 => 1,
            3 => 0x7FFE,
            4 or 5 or 6 => 0x3FFF + rng.Next(-70, 70),
            _ => rng.Next(1, 0x7FFF),
        };
        ulong significand = exponent == 0 ? fraction : fraction | (1UL << 63);
        return (significand, (ulong)(exponent | (rng.Next(2) << 15)));
    }

    /// <summary>A valid packed BCD integer (18 decimal digits, random sign), often short.</summary>
    private static (ulong Low, ulong High) Bcd(Random rng)
    {
        int digits = rng.Next(2) == 0 ? 18 : rng.Next(1, 18);
        ulong low = 0, high = 0;
        for (int i = 0; i < digits; i++)
        {
            ulong d = (ulong)rng.Next(10);
            if (i < 16)
            {
                low |= d << (4 * i);
            }
            else
            {
                high |= d << (4 * (i - 16));
            }
        }

        return (low, high | (rng.Next(2) == 0 ? 0x8000UL : 0));
    }

    private sealed class Writer : CodeWriter
    {
        public List<byte> Bytes { get; } = [];

        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
