using Iced.Intel;
using TestSupport;

namespace Guest.Tests.TestKernels;

/// <summary>
/// Guest/tests/simd.c: ordinary gcc -O2 output with SSE (scalar float and double, conversions, NaNs, MXCSR flags and
/// rounding, x87 long double, loops gcc vectorises), and MMX with SSE/SSSE3 on MMX registers and SSSE3 on XMM ones. emu and QEMU run it through <see cref="EmuTestKernelTests"/> and
/// <see cref="QemuTestKernelTests"/> (Expected/simd.txt; QEMU 7.2's departures in Expected/simd.qemu.txt). Here the
/// third reference: the same computation (Guest/tests/simd/work.c) built as a native program prints, on the host CPU,
/// exactly the lines the kernel prints between "work:" and "end of work"; and the image really holds the SSE code.
/// </summary>
public class SimdKernelTests
{
    private const string Kernel = "simd";

    [Fact]
    public void TheHostCpuPrintsTheSameWorkAsTheKernel()
    {
        string make = ExternalTool.Require("make", "builds the native side of the simd test");
        ExternalTool.Require("gcc", "compiles the native side of the simd test");
        string guest = Path.Combine(RepoPaths.Root, "Guest");
        ProcessResult build = ExternalTool.Run(make, ["-s", "-C", guest, "build/tests/simd/host"], TimeSpan.FromSeconds(120));
        Assert.True(build.ExitCode == 0, "make failed:\n" + build.StandardOutput + build.StandardError);
        ProcessResult native = ExternalTool.Run(Path.Combine(guest, "build", "tests", "simd", "host"), [], TimeSpan.FromSeconds(30));
        Assert.Equal(0, native.ExitCode);

        string[] expected = WorkLines(File.ReadAllText(TestKernelTranscript.ExpectedPath(Kernel)));
        string[] host = native.StandardOutput.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        Assert.True(expected.Length >= 60, $"the expected transcript has only {expected.Length} work lines");
        Assert.Equal(expected, host);
    }

    /// <summary>
    /// The loops gcc -O2 vectorised are packed SSE/SSE2 in the image emu and QEMU boot (not scalar code), and the
    /// MMX/SSSE3 block runs MMX-register instructions (PSHUFW exists only on MMX registers).
    /// </summary>
    [Theory]
    [InlineData("simd_int_sum", new[] { Mnemonic.Paddd })]
    [InlineData("simd_int_mix", new[] { Mnemonic.Pxor, Mnemonic.Pslld, Mnemonic.Psrld, Mnemonic.Paddd })]
    [InlineData("simd_byte_max", new[] { Mnemonic.Pmaxub })]
    [InlineData("simd_float_axpy", new[] { Mnemonic.Mulps, Mnemonic.Addps })]
    [InlineData("simd_double_scale", new[] { Mnemonic.Mulpd, Mnemonic.Subpd })]
    [InlineData("simd_mmx_ssse3", new[] { Mnemonic.Paddsw, Mnemonic.Pmaddwd, Mnemonic.Packssdw, Mnemonic.Pshufb, Mnemonic.Phaddsw, Mnemonic.Palignr, Mnemonic.Pshufw })]
    public void TheVectorisedLoopsArePackedSseInTheImage(string function, Mnemonic[] required)
    {
        string image = TestKernelTranscript.Image(Kernel);
        ulong start = GuestSymbols.Address(image, function);
        HashSet<Mnemonic> seen = FunctionMnemonics(GuestSymbols.BytesAt(image, start, 256), start);
        foreach (Mnemonic m in required)
        {
            Assert.True(seen.Contains(m), $"{function} has no {m}; it has {string.Join(' ', seen)}");
        }
    }

    /// <summary>The lines between "work:" and "end of work" of a transcript.</summary>
    private static string[] WorkLines(string transcript)
    {
        string[] lines = transcript.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int begin = Array.IndexOf(lines, "work:");
        int end = Array.IndexOf(lines, "end of work");
        Assert.True(begin >= 0 && end > begin, "no work: ... end of work block in the transcript");
        return lines[(begin + 1)..end];
    }

    /// <summary>The mnemonics of a function's instructions up to its first RET.</summary>
    private static HashSet<Mnemonic> FunctionMnemonics(byte[] code, ulong address)
    {
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(code));
        decoder.IP = address;
        var seen = new HashSet<Mnemonic>();
        while (decoder.IP < address + (ulong)code.Length)
        {
            Instruction i = decoder.Decode();
            seen.Add(i.Mnemonic);
            if (i.Mnemonic == Mnemonic.Ret)
            {
                break;
            }
        }

        return seen;
    }
}
