using System.Text;
using Cpu.Tests.Translation;
using Cpu.Translation;
using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// Runs cases on the host and in the emulator (under <see cref="JitEnvironment.Mode"/>) and compares GPRs, the defined flags, where execution
/// ended, the data buffer, the stack window and the x87/SSE state. Fails the test with a readable account of the first
/// mismatches (form, bytes, disassembly, inputs, both outcomes).
/// </summary>
public static class DifferentialRunner
{
    private const int ReportedFailures = 6;

    private static readonly string[] RegNames =
        ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

    /// <summary>The native harness, or skips the test with the reason it cannot run here.</summary>
    public static NativeCpu RequireNative()
    {
        NativeCpu? native = NativeCpu.TryGet(out string reason);
        if (native is null)
        {
            Assert.Skip(reason);
        }

        return native;
    }

    /// <summary>Runs every case; fails listing the mismatching forms and the first few mismatches in full.</summary>
    public static void Check(IEnumerable<DiffCase> cases)
    {
        if (CaseCollector.Active is { } collected)
        {
            collected.AddRange(cases);
            return;
        }

        NativeCpu native = RequireNative();
        int total = 0;
        var failures = new List<string>();
        var failingForms = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var casesPerForm = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (DiffCase c in cases)
        {
            total++;
            int index = casesPerForm.GetValueOrDefault(c.Form);
            casesPerForm[c.Form] = index + 1;
            string? mismatch = RunOne(native, c, FirstTierOf(index));
            if (mismatch is not null)
            {
                failingForms[c.Form] = failingForms.GetValueOrDefault(c.Form) + 1;
                if (failures.Count < ReportedFailures)
                {
                    failures.Add(mismatch);
                }
            }
        }

        LogCounts(total, casesPerForm.Count, failingForms.Values.Sum());
        if (total == 0)
        {
            Assert.Fail("no cases were generated");
        }

        if (failingForms.Count > 0)
        {
            var sb = new StringBuilder();
            int failed = failingForms.Values.Sum();
            sb.AppendLine($"{failed} of {total} cases differ from the host CPU, in {failingForms.Count} forms:");
            foreach ((string form, int count) in failingForms)
            {
                sb.AppendLine($"  {form}: {count}");
            }

            foreach (string f in failures)
            {
                sb.AppendLine().Append(f);
            }

            Assert.Fail(sb.ToString());
        }

        TestContext.Current.SendDiagnosticMessage($"{total} cases agree with the host CPU");
    }

    /// <summary>With DIFF_CASE_LOG set, appends "test: cases, forms, failed" to that file (for coverage reports).</summary>
    private static void LogCounts(int total, int forms, int failed)
    {
        string? path = Environment.GetEnvironmentVariable("DIFF_CASE_LOG");
        if (!string.IsNullOrEmpty(path))
        {
            string name = TestContext.Current.Test?.TestDisplayName ?? "?";
            lock (RegNames)
            {
                File.AppendAllText(path, $"{name}\t{total}\t{forms}\t{failed}\n");
            }
        }
    }

    /// <summary>
    /// The compile tier of a form's case number <paramref name="index"/> when blocks are compiled: a case
    /// runs once, so under <see cref="JitMode.Always"/> its block is compiled only in the first tier.
    /// Alternating gives each form about half its cases (the edge values among them) in either tier.
    /// </summary>
    private static CompileTier FirstTierOf(int index) => index % 2 == 0 ? CompileTier.Quick : CompileTier.Optimized;

    /// <summary>
    /// Null when the host and the emulator agree, otherwise the report of the mismatch. The emulator runs
    /// the case under <see cref="JitEnvironment.Mode"/>: interpreted in Cpu.Tests, every block compiled
    /// (<see cref="JitMode.Always"/>, first in <paramref name="firstTier"/>) in Cpu.Tests.Compiled, so CI
    /// compares every case in both tiers.
    /// </summary>
    public static string? RunOne(NativeCpu native, DiffCase c, CompileTier firstTier = CompileTier.Quick)
    {
        JitMode jit = JitEnvironment.Mode;
        MachineSnapshot host = native.Run(c);
        MachineSnapshot emu = EmulatedCpu.Run(c, jit: jit, firstTier: firstTier);
        List<string> diffs = Compare(c, host, emu);
        if (diffs.Count == 0)
        {
            return null;
        }

        // Confirm on a fresh processor: state left over from another case must not fail this one.
        emu = EmulatedCpu.Run(c, fresh: true, jit: jit, firstTier: firstTier);
        diffs = Compare(c, host, emu);
        if (diffs.Count == 0)
        {
            return null;
        }

        // A host signal frame landing in the stack window could disturb the native run: confirm it.
        MachineSnapshot again = native.Run(c);
        if (Compare(c, host, again).Count != 0)
        {
            host = native.Run(c);
            diffs = Compare(c, host, emu);
            if (diffs.Count == 0)
            {
                return null;
            }
        }

        if (jit != JitMode.Off)
        {
            diffs.Add($"compiled {firstTier} first");
        }

        return (jit == JitMode.Off ? "" : $"(JIT {jit}) ") + Describe(c, host, emu, diffs);
    }

    public static List<string> Compare(DiffCase c, MachineSnapshot host, MachineSnapshot emu)
    {
        var diffs = new List<string>();
        if (emu.Error is not null)
        {
            diffs.Add($"emulator: {emu.Error}");
        }

        if (host.RipOffset != emu.RipOffset)
        {
            diffs.Add($"end RIP: host snippet+0x{host.RipOffset:X}, emu snippet+0x{emu.RipOffset:X}");
        }

        for (int i = 0; i < 16; i++)
        {
            ulong mask = c.GprMask?[i] ?? ulong.MaxValue;
            if (((host.Gpr[i] ^ emu.Gpr[i]) & mask) != 0)
            {
                diffs.Add($"{RegNames[i]}: host 0x{host.Gpr[i]:X16}, emu 0x{emu.Gpr[i]:X16}" + (mask == ulong.MaxValue ? "" : $" (compared bits 0x{mask:X})"));
            }
        }

        ulong defined = FlagBits.Compared & ~c.UndefinedFlags;
        if (((host.Flags ^ emu.Flags) & defined) != 0)
        {
            diffs.Add($"flags: host [{FlagBits.Describe(host.Flags & defined)}], emu [{FlagBits.Describe(emu.Flags & defined)}] (undefined here: [{FlagBits.Describe(c.UndefinedFlags)}])");
        }

        CompareBytes(c, "data", HarnessLayout.DataAddress, host.Data, emu.Data, diffs);
        CompareBytes(c, "stack", HarnessLayout.StackWindowAddress, host.Stack, emu.Stack, diffs);
        diffs.AddRange(FpuImage.Differences(host.Fpu, emu.Fpu, c.StUlpTolerance, c.XmmSingleTolerance));
        return diffs;
    }

    private static void CompareBytes(DiffCase c, string what, ulong address, byte[] host, byte[] emu, List<string> diffs)
    {
        int shown = 0;
        for (int i = 0; i < host.Length && shown < 4; i++)
        {
            if (host[i] != emu[i] && !c.UndefinedMemory.Any(r => address + (ulong)i - r.Address < (ulong)r.Length))
            {
                diffs.Add($"{what} [0x{address + (ulong)i:X}]: host 0x{host[i]:X2}, emu 0x{emu[i]:X2}");
                shown++;
            }
        }
    }

    public static string Describe(DiffCase c, MachineSnapshot host, MachineSnapshot emu, List<string> diffs)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"== {c.Form}");
        sb.AppendLine($"   bytes: {Convert.ToHexString(c.Code)}");
        foreach (string line in Disassemble(c.Code, c.Bitness))
        {
            sb.AppendLine($"   {line}");
        }

        sb.Append("   in:");
        for (int i = 0; i < 16; i++)
        {
            sb.Append($" {RegNames[i]}=0x{c.Gpr[i]:X}");
        }

        sb.AppendLine($" flags=[{FlagBits.Describe(c.Flags)}]");
        foreach (string d in diffs)
        {
            sb.AppendLine($"   {d}");
        }

        return sb.ToString();
    }

    public static IEnumerable<string> Disassemble(byte[] code, int bitness = 64)
    {
        var decoder = Iced.Intel.Decoder.Create(bitness, new ByteArrayCodeReader(code));
        decoder.IP = HarnessLayout.SnippetAddress;
        var formatter = new NasmFormatter();
        var output = new StringOutput();
        var lines = new List<string>();
        while (decoder.IP < HarnessLayout.SnippetAddress + (ulong)code.Length)
        {
            decoder.Decode(out Instruction ins);
            formatter.Format(ins, output);
            lines.Add($"{ins.IP - HarnessLayout.SnippetAddress:X3}: {output.ToStringAndReset()}");
        }

        return lines;
    }
}
