using Cpu;
using Cpu.State;
using Cpu.Translation;
using Iced.Intel;
using Mmu;
using Mmu.Io;
using Mmu.Physical;
using static Iced.Intel.AssemblerRegisters;

namespace Benchmarks.Cpu;

/// <summary>
/// The compute-bound 64-bit guest loop the interpreter and JIT throughput benchmarks run: per inner
/// iteration a load, ALU work, a multiply, a store, a compare, SETcc and a counted branch (10
/// instructions, 1024 iterations per outer pass); flat segments, paging off, CPU at the first instruction.
/// </summary>
public static class ComputeLoopGuest
{
    private const ulong Code = 0x10000;
    private const ulong Data = 0x100000;

    /// <summary>A 4 MiB machine with the loop loaded; the caller disposes the RAM.</summary>
    public static (PhysicalMemory Ram, Processor Cpu) Create(JitMode mode)
    {
        var ram = new PhysicalMemory(4 * 1024 * 1024);
        var cpu = new Processor(new LinearMemory(new PhysicalBus(ram)), new PortSpace()) { JitMode = mode };
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
        return (ram, cpu);
    }
}
