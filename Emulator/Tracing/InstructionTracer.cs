using System.Globalization;
using Cpu;
using Cpu.State;
using Iced.Intel;
using Mmu.Paging;

namespace Emulator.Tracing;

/// <summary>Writes one line per instruction before it runs: count, CS:RIP, bytes and Iced's disassembly.</summary>
public sealed class InstructionTracer(TextWriter output)
{
    private readonly NasmFormatter formatter = new();
    private readonly StringOutput text = new();
    private readonly byte[] bytes = new byte[15];

    public void TraceNext(Processor cpu)
    {
        CpuState s = cpu.State;
        SegmentRegister cs = s.Segments[SegmentIndex.Cs];
        int bitness = (cs.Attributes & (1 << 13)) != 0 && (s.Efer & (1 << 10)) != 0 ? 64
            : (s.Cr0 & 1) != 0 && (cs.Attributes & (1 << 14)) != 0 ? 32 : 16;
        ulong linear = bitness == 64 ? s.Rip : (uint)(cs.Base + s.Rip); // what the CPU fetches (BlockCache.Get)
        int n = 0;
        try
        {
            for (; n < bytes.Length; n++)
            {
                bytes[n] = cpu.Memory.Fetch8(bitness == 64 ? linear + (ulong)n : (uint)(linear + (ulong)n));
            }
        }
        catch (PageFaultException)
        {
        }
        catch (NotImplementedException)
        {
        }

        string disassembly = "(unreadable)";
        string hex = string.Empty;
        if (n > 0)
        {
            var decoder = Decoder.Create(bitness, new ByteArrayCodeReader(bytes, 0, n), s.Rip);
            decoder.Decode(out Instruction instruction);
            text.Reset();
            formatter.Format(instruction, text);
            disassembly = instruction.IsInvalid ? "(invalid)" : text.ToString();
            hex = Convert.ToHexString(bytes, 0, Math.Max(1, Math.Min(n, instruction.Length))).ToLowerInvariant();
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cpu.InstructionsRetired,10} {cs.Selector:x4}:{s.Rip:x16} {hex,-30} {disassembly}"));
    }
}
