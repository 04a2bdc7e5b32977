using Cpu.Execution;
using Cpu.State;
using Iced.Intel;
using Mmu;
using Mmu.Io;
using Mmu.Physical;

namespace Cpu.Tests.Support;

/// <summary>
/// A processor with 4 MiB of RAM, paging off, and a flat 64-bit (CS.L) or 32-bit (CS.D) code segment set
/// directly in the state. Code assembled with Iced's <see cref="Assembler"/> is placed at <see cref="CodeBase"/>.
/// </summary>
public sealed class TestMachine : IDisposable
{
    public const ulong CodeBase = 0x10000;
    public const ulong StackTop = 0x80000;
    public const ulong DataBase = 0x100000;

    public TestMachine(int bitness = 64)
    {
        Ram = new PhysicalMemory(4 * 1024 * 1024);
        Memory = new LinearMemory(new PhysicalBus(Ram));
        Ports = new PortSpace();
        Cpu = new Processor(Memory, Ports) { JitMode = Translation.JitEnvironment.Mode };
        Bitness = bitness;
        CpuState s = Cpu.State;
        s.Cr0 = 0x11;
        ushort codeAttributes = (ushort)(bitness == 64 ? 0xA09B : bitness == 32 ? 0xC09B : 0x009B);
        ushort dataAttributes = (ushort)(bitness == 16 ? 0x0093 : 0xC093);
        for (int i = 0; i < 6; i++)
        {
            s.Segments[i] = new SegmentRegister { Selector = 0x10, Base = 0, Limit = 0xFFFF_FFFF, Attributes = dataAttributes };
        }

        s.Segments[SegmentIndex.Cs] = new SegmentRegister { Selector = 0x08, Base = 0, Limit = 0xFFFF_FFFF, Attributes = codeAttributes };
        s.Gpr[4] = StackTop;
        s.Rip = CodeBase;
    }

    public PhysicalMemory Ram { get; }

    public LinearMemory Memory { get; }

    public PortSpace Ports { get; }

    public Processor Cpu { get; }

    public int Bitness { get; }

    public CpuState State => Cpu.State;

    public ulong this[int gpr]
    {
        get => Cpu.State.Gpr[gpr];
        set => Cpu.State.Gpr[gpr] = value;
    }

    /// <summary>Assembles the code (an HLT is appended), loads it at <see cref="CodeBase"/> and returns its length.</summary>
    public int Load(Action<Assembler> code, ulong at = CodeBase)
    {
        var a = new Assembler(Bitness);
        code(a);
        a.hlt();
        var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), at);
        byte[] bytes = stream.ToArray();
        WriteBytes(at, bytes);
        return bytes.Length;
    }

    public void WriteBytes(ulong physical, ReadOnlySpan<byte> bytes) => bytes.CopyTo(Ram.Span(physical, bytes.Length));

    public ulong Read64(ulong physical) => BitConverter.ToUInt64(Ram.Span(physical, 8));

    public void Write64(ulong physical, ulong value) => BitConverter.TryWriteBytes(Ram.Span(physical, 8), value);

    /// <summary>Runs until HLT (or the budget); asserts the CPU halted.</summary>
    public StopReason Run(long budget = 1_000_000)
    {
        return Cpu.Run(budget);
    }

    /// <summary>Assembles, runs to the final HLT, and asserts that it got there.</summary>
    public void Execute(Action<Assembler> code)
    {
        Load(code);
        var reason = Run();
        Assert.Equal(StopReason.Halted, reason);
    }

    public void Dispose() => Ram.Dispose();
}
