using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using Iced.Intel;
using Mmu;
using Mmu.Io;
using Mmu.Physical;

namespace Cpu.Tests.System;

/// <summary>
/// A processor with its GDT, IDT and TSS built in guest RAM and paging off, in IA-32e mode (the state
/// is set directly: LMA without paging is not reachable architecturally, but translation is the identity
/// either way) or in 32-bit protected mode. Every IDT vector points at its own <c>HLT</c> stub at
/// <see cref="HandlerBase"/> + 16 * vector, so a delivered event shows as a halt at that stub.
/// </summary>
public sealed class SystemMachine : IDisposable
{
    public const ulong Gdt = 0x1000;
    public const ulong Idt = 0x2000;
    public const ulong Tss = 0x3000;
    public const ulong HandlerBase = 0x8000;
    public const ulong KernelCode = 0x10000;
    public const ulong UserCode = 0x20000;
    public const ulong UserStack = 0x70000;
    public const ulong KernelStack = 0x60000;
    public const ulong Rsp0 = 0x90000;
    public const ulong Ist1 = 0xA0000;

    public const ushort KernelCs = 0x08;
    public const ushort KernelDs = 0x10;
    public const ushort UserCs32 = 0x1B;
    public const ushort UserDs = 0x23;
    public const ushort UserCs64 = 0x2B;
    public const ushort TssSelector = 0x30;
    public const ushort KernelCs32 = 0x40;

    /// <summary>A data segment marked not present.</summary>
    public const ushort AbsentData = 0x48;

    /// <summary>Offset of the I/O permission bitmap in the TSS.</summary>
    public const int IoMapOffset = 0x68;

    public const ulong Code64Dpl0 = 0x00AF_9A00_0000_FFFF;
    public const ulong Code64Dpl3 = 0x00AF_FA00_0000_FFFF;
    public const ulong Code32Dpl0 = 0x00CF_9A00_0000_FFFF;
    public const ulong Code32Dpl3 = 0x00CF_FA00_0000_FFFF;
    public const ulong DataDpl0 = 0x00CF_9200_0000_FFFF;
    public const ulong DataDpl3 = 0x00CF_F200_0000_FFFF;

    public SystemMachine(bool longMode = true)
    {
        LongMode = longMode;
        Ram = new PhysicalMemory(4 * 1024 * 1024);
        Memory = new LinearMemory(new PhysicalBus(Ram));
        Ports = new PortSpace();
        Cpu = new Processor(Memory, Ports) { JitMode = Translation.JitEnvironment.Mode };

        WriteDescriptor(KernelCs, longMode ? Code64Dpl0 : Code32Dpl0);
        WriteDescriptor(KernelDs, DataDpl0);
        WriteDescriptor(UserCs32, Code32Dpl3);
        WriteDescriptor(UserDs, DataDpl3);
        WriteDescriptor(UserCs64, Code64Dpl3);
        uint tssLimit = IoMapOffset + 8192;
        WriteDescriptor(TssSelector, SystemDescriptor(Tss, tssLimit, SystemDescriptorType.TssAvailable));
        Write64(Gdt + TssSelector + 8, 0);
        WriteDescriptor(KernelCs32, Code32Dpl0);
        WriteDescriptor(AbsentData, DataDpl0 & ~(1UL << 47));

        for (int v = 0; v < 256; v++)
        {
            Ram.Span(HandlerBase + ((ulong)v * 16), 1)[0] = 0xF4;
            SetGate(v, dpl: 0);
        }

        if (longMode)
        {
            Write64(Tss + 4, Rsp0);
            Write64(Tss + 0x24, Ist1);
        }
        else
        {
            Write32(Tss + 4, (uint)Rsp0);
            Write32(Tss + 8, KernelDs);
        }

        Write16(Tss + 0x66, IoMapOffset);
        Ram.Span(Tss + IoMapOffset, 8193).Fill(0xFF);

        CpuState s = Cpu.State;
        s.GdtrBase = Gdt;
        s.GdtrLimit = 0x7F;
        s.IdtrBase = Idt;
        s.IdtrLimit = (ushort)((256 * GateSize) - 1);
        s.Cr0 = ControlRegisters.Cr0Pe | ControlRegisters.Cr0Et;
        if (longMode)
        {
            s.Cr4 = ControlRegisters.Cr4Pae;
            s.Efer = ProcessorMode.EferLme | ProcessorMode.EferLma | ProcessorMode.EferSce;
        }

        Memory.SetPagingControls(s.Cr0, s.Cr4, s.Efer);
        s.Tr = new SegmentRegister { Selector = TssSelector, Base = Tss, Limit = tssLimit, Attributes = 0x8B };
        EnterKernel();
    }

    public bool LongMode { get; }

    public int GateSize => LongMode ? 16 : 8;

    public PhysicalMemory Ram { get; }

    public LinearMemory Memory { get; }

    public PortSpace Ports { get; }

    public Processor Cpu { get; }

    public CpuState State => Cpu.State;

    public static ulong SystemDescriptor(ulong baseAddress, uint limit, int type, int dpl = 0) =>
        (limit & 0xFFFF) | ((baseAddress & 0xFF_FFFF) << 16) | ((ulong)(type | (dpl << 5) | 0x80) << 40)
        | ((ulong)((limit >> 16) & 0xF) << 48) | (((baseAddress >> 24) & 0xFF) << 56);

    /// <summary>The address of the HLT stub of <paramref name="vector"/>.</summary>
    public static ulong Handler(int vector) => HandlerBase + ((ulong)vector * 16);

    /// <summary>Writes IDT entry <paramref name="vector"/> pointing at its stub (or <paramref name="target"/>).</summary>
    public void SetGate(int vector, int dpl, int type = SystemDescriptorType.InterruptGate, bool present = true, int ist = 0, ushort selector = KernelCs, ulong? target = null)
    {
        ulong offset = target ?? Handler(vector);
        ulong low = (offset & 0xFFFF) | ((ulong)selector << 16) | ((ulong)ist << 32)
            | ((ulong)(type | (dpl << 5) | (present ? 0x80 : 0)) << 40) | (((offset >> 16) & 0xFFFF) << 48);
        ulong entry = Idt + ((ulong)vector * (ulong)GateSize);
        Write64(entry, low);
        if (LongMode)
        {
            Write64(entry + 8, offset >> 32);
        }
    }

    public void WriteDescriptor(ushort selector, ulong descriptor) => Write64(Gdt + (ulong)(selector & 0xFFF8), descriptor);

    public SegmentRegister Segment(ushort selector) =>
        new SegmentDescriptor(Read64(Gdt + (ulong)(selector & 0xFFF8))).ToSegment(selector);

    /// <summary>CPL 0 in the kernel code segment, kernel stack, RIP at <see cref="KernelCode"/>.</summary>
    public void EnterKernel()
    {
        CpuState s = Cpu.State;
        for (int i = 0; i < 6; i++)
        {
            s.Segments[i] = Segment(KernelDs);
        }

        s.Segments[SegmentIndex.Cs] = Segment(KernelCs);
        s.Gpr[4] = KernelStack;
        s.Rip = KernelCode;
        s.Rflags = 0x2;
        Memory.UserMode = false;
        Cpu.Halted = false;
    }

    /// <summary>CPL 3 in the 64-bit (or, in protected mode, 32-bit) user code segment with IF set.</summary>
    public void EnterUser(ulong rflags = 0x202)
    {
        CpuState s = Cpu.State;
        for (int i = 0; i < 6; i++)
        {
            s.Segments[i] = Segment(UserDs);
        }

        s.Segments[SegmentIndex.Cs] = Segment(LongMode ? UserCs64 : UserCs32);
        s.Gpr[4] = UserStack;
        s.Rip = UserCode;
        s.Rflags = rflags;
        Memory.UserMode = true;
        Cpu.Halted = false;
    }

    /// <summary>Assembles <paramref name="code"/> for the current mode at <paramref name="at"/>.</summary>
    public void Load(ulong at, Action<Assembler> code, int? bitness = null)
    {
        var a = new Assembler(bitness ?? (LongMode ? 64 : 32));
        code(a);
        var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), at);
        byte[] bytes = stream.ToArray();
        bytes.CopyTo(Ram.Span(at, bytes.Length));
    }

    /// <summary>The length in bytes of the assembled code (for expected RIPs).</summary>
    public static int Length(Action<Assembler> code, int bitness = 64)
    {
        var a = new Assembler(bitness);
        code(a);
        var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), 0);
        return (int)stream.Length;
    }

    public StopReason Run(long budget = 10_000) => Cpu.Run(budget);

    /// <summary>Runs and asserts the processor halted in the stub of <paramref name="vector"/>.</summary>
    public void RunToHandler(int vector, long budget = 10_000)
    {
        StopReason reason = Cpu.Run(budget);
        Assert.Equal(StopReason.Halted, reason);
        Assert.Equal(Handler(vector) + 1, Cpu.State.Rip);
    }

    /// <summary>The <paramref name="index"/>-th stack slot of <paramref name="size"/> bytes above RSP.</summary>
    public ulong StackSlot(int index, int size = 8)
    {
        ulong address = (Cpu.State.Gpr[4] & (LongMode ? ulong.MaxValue : 0xFFFF_FFFF)) + ((ulong)index * (ulong)size);
        return size == 8 ? Read64(address) : Read32(address);
    }

    public ulong Read64(ulong physical) => BitConverter.ToUInt64(Ram.Span(physical, 8));

    public uint Read32(ulong physical) => BitConverter.ToUInt32(Ram.Span(physical, 4));

    public void Write64(ulong physical, ulong value) => BitConverter.TryWriteBytes(Ram.Span(physical, 8), value);

    public void Write32(ulong physical, uint value) => BitConverter.TryWriteBytes(Ram.Span(physical, 4), value);

    public void Write16(ulong physical, ushort value) => BitConverter.TryWriteBytes(Ram.Span(physical, 2), value);

    /// <summary>Clears the I/O bitmap bits of <paramref name="count"/> ports from <paramref name="port"/> (allows them).</summary>
    public void AllowPorts(ushort port, int count)
    {
        Span<byte> map = Ram.Span(Tss + IoMapOffset, 8192);
        for (int p = port; p < port + count; p++)
        {
            map[p >> 3] &= (byte)~(1 << (p & 7));
        }
    }

    public void Dispose() => Ram.Dispose();
}
