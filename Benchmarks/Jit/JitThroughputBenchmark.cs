using BenchmarkDotNet.Attributes;
using Cpu;
using Cpu.State;
using Cpu.Translation;
using Iced.Intel;
using Mmu;
using Mmu.Io;
using Mmu.Physical;
using static Iced.Intel.AssemblerRegisters;

namespace Benchmarks.Jit;

/// <summary>
/// Guest instructions per second of the same compute-bound 64-bit loop as the interpreter benchmark
/// (loads, stores, ALU, a multiply, a compare, SETcc and a branch per iteration; paging off), with the
/// JIT off, on (tier-up on a background thread) and always. One operation is one retired guest
/// instruction. The JIT counters (compiled blocks, compile time) are printed at the end of each case.
/// </summary>
[ShortRunJob]
public class JitThroughputBenchmark
{
    private const int InstructionsPerInvoke = 4_000_000;
    private const ulong Code = 0x10000;
    private const ulong Data = 0x100000;

    private PhysicalMemory ram = null!;
    private Processor cpu = null!;

    [Params(JitMode.Off, JitMode.On, JitMode.Always)]
    public JitMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ram = new PhysicalMemory(4 * 1024 * 1024);
        cpu = new Processor(new LinearMemory(new PhysicalBus(ram)), new PortSpace()) { JitMode = Mode };
        CpuState s = cpu.State;
        s.Cr0 = 0x11;
        for (int i = 0; i < 6; i++)
        {
            s.Segments[i] = new SegmentRegister { Selector = 0x10, Limit = 0xFFFF_FFFF, Attributes = 0xC093 };
        }

        s.Segments[SegmentIndex.Cs] = new SegmentRegister { Selector = 0x08, Limit = 0xFFFF_FFFF, Attributes = 0xA09B };
        s.Gpr[4] = 0x80000;
        s.Rip = Code;

        var a = new Assembler(64);
        var outer = a.CreateLabel();
        var inner = a.CreateLabel();
        a.Label(ref outer);
        a.mov(rsi, Data);
        a.mov(ecx, 1024);
        a.xor(eax, eax);
        a.Label(ref inner);
        a.mov(rdx, __qword_ptr[rsi]);
        a.add(rax, rdx);
        a.imul(rax, rax, 31);
        a.xor(rax, rcx);
        a.mov(__qword_ptr[rsi], rax);
        a.add(rsi, 8);
        a.cmp(rax, rdx);
        a.setb(bl);
        a.dec(ecx);
        a.jnz(inner);
        a.jmp(outer);
        var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), Code);
        stream.ToArray().CopyTo(ram.Span(Code, (int)stream.Length));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        JitCounters c = cpu.Jit.Counters;
        double compiledShare = cpu.InstructionsRetired == 0 ? 0 : 100.0 * c.InstructionsInCompiledCode / cpu.InstructionsRetired;
        Console.WriteLine($"// JIT {Mode}: {c.BlocksCompiled} blocks compiled, median {c.MedianCompileMicroseconds:F0} us, p99 {c.P99CompileMicroseconds:F0} us, {compiledShare:F1}% of instructions in compiled code, {c.Invalidations} invalidations");
        ram.Dispose();
    }

    [Benchmark(OperationsPerInvoke = InstructionsPerInvoke)]
    public long GuestInstructions()
    {
        cpu.Run(InstructionsPerInvoke);
        return cpu.InstructionsRetired;
    }
}
