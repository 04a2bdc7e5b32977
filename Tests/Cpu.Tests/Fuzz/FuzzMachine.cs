using System.Buffers.Binary;
using Cpu.State;
using Cpu.System;
using Cpu.Tests.System;
using Cpu.Translation;
using Mmu;
using Mmu.Io;
using Mmu.Physical;

namespace Cpu.Tests.Fuzz;

/// <summary>
/// A processor and its RAM, reused from stream to stream, that lays out a <see cref="FuzzScenario"/>: descriptor
/// tables, a TSS with its I/O bitmap, a HLT handler per vector (an exception ends the stream), identity page tables,
/// the code and random data; then enters the scenario's mode and CPL through the control-register writes a kernel
/// would make and runs the stream under one tier. Nothing is attached to the port space: port I/O that the bitmap
/// lets through reads all-ones and is dropped.
/// </summary>
public sealed class FuzzMachine : IDisposable
{
    private const byte Hlt = 0xF4;

    private readonly PhysicalMemory ram = new(FuzzLayout.RamSize);

    public FuzzMachine(JitMode jit)
    {
        Cpu = new Processor(new LinearMemory(new PhysicalBus(ram)), new PortSpace()) { JitMode = jit, JitCompileTiming = JitCompileTiming.Foreground };
    }

    public Processor Cpu { get; }

    /// <summary>The machine's RAM after the last run.</summary>
    public ReadOnlySpan<byte> Ram => ram.Span(0, FuzzLayout.RamSize);

    /// <summary>Lays out <paramref name="scenario"/>, runs it for at most <paramref name="budget"/> instructions and snapshots the result.</summary>
    public FuzzOutcome Run(FuzzScenario scenario, long budget, CancellationToken watchdog)
    {
        Cpu.Reset();
        Cpu.JitFirstTier = scenario.FirstTier;
        ram.Clear();
        Lay(scenario);
        long before = Cpu.InstructionsRetired;
        Cpu.SystemRegisters.TimeSource = () => (ulong)(Cpu.InstructionsRetired - before); // the TSC counts this stream's instructions only
        string stop;
        try
        {
            Enter(scenario);
            using (watchdog.Register(Cpu.RequestStop))
            {
                stop = Cpu.Run(budget).ToString();
            }
        }
        catch (Exception e)
        {
            return FuzzOutcome.Crash(e);
        }

        return FuzzOutcome.Of(Cpu, stop, Cpu.InstructionsRetired - before);
    }

    public void Dispose() => ram.Dispose();

    private static ulong Descriptor(ulong baseAddress, uint limit, int access, int flags) =>
        (limit & 0xFFFF) | ((baseAddress & 0xFF_FFFF) << 16) | ((ulong)access << 40) | ((ulong)((limit >> 16) & 0xF) << 48)
        | ((ulong)flags << 52) | (((baseAddress >> 24) & 0xFF) << 56);

    private void Lay(FuzzScenario sc)
    {
        bool longMode = sc.Mode is FuzzMode.Compatibility or FuzzMode.Long;

        // GDT: flat 64/32-bit code and data, 16-bit segments based at the code, data and stack areas, the TSS
        // (busy: TR holds it) and random descriptors for far transfers and segment loads to trip over.
        WriteDescriptor(FuzzLayout.KernelCode64, SystemMachine.Code64Dpl0);
        WriteDescriptor(FuzzLayout.KernelData, SystemMachine.DataDpl0);
        WriteDescriptor(FuzzLayout.UserCode32, SystemMachine.Code32Dpl3);
        WriteDescriptor(FuzzLayout.UserData, SystemMachine.DataDpl3);
        WriteDescriptor(FuzzLayout.UserCode64, SystemMachine.Code64Dpl3);
        WriteDescriptor(FuzzLayout.KernelCode32, SystemMachine.Code32Dpl0);
        WriteDescriptor(FuzzLayout.KernelCode16, Descriptor(FuzzLayout.Code, 0xFFFF, 0x9B, 0));
        WriteDescriptor(FuzzLayout.UserCode16, Descriptor(FuzzLayout.Code, 0xFFFF, 0xFB, 0));
        WriteDescriptor(FuzzLayout.KernelData16, Descriptor(FuzzLayout.Data, 0xFFFF, 0x93, 0));
        WriteDescriptor(FuzzLayout.UserData16, Descriptor(FuzzLayout.Data, 0xFFFF, 0xF3, 0));
        WriteDescriptor(FuzzLayout.KernelStack16, Descriptor(FuzzLayout.StackSegment, 0xFFFF, 0x93, 0));
        WriteDescriptor(FuzzLayout.UserStack16, Descriptor(FuzzLayout.StackSegment, 0xFFFF, 0xF3, 0));
        uint tssLimit = FuzzLayout.IoMapOffset + FuzzLayout.IoBitmapBytes;
        WriteDescriptor(FuzzLayout.TssSelector, Descriptor(FuzzLayout.Tss, tssLimit, 0x80 | SystemDescriptorType.TssBusy, 0));
        for (int i = 0; i < sc.RandomDescriptors.Length; i++)
        {
            WriteDescriptor((ushort)(FuzzLayout.FirstRandomDescriptor + (8 * i)), sc.RandomDescriptors[i]);
        }

        // TSS: the ring-0 stack, the I/O bitmap and its terminating byte.
        if (longMode)
        {
            Write64(FuzzLayout.Tss + 4, FuzzLayout.KernelStack);
        }
        else
        {
            Write32(FuzzLayout.Tss + 4, (uint)FuzzLayout.KernelStack);
            Write32(FuzzLayout.Tss + 8, FuzzLayout.KernelData);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(ram.Span(FuzzLayout.Tss + 0x66, 2), FuzzLayout.IoMapOffset);
        sc.IoBitmap.CopyTo(ram.Span(FuzzLayout.Tss + FuzzLayout.IoMapOffset, FuzzLayout.IoBitmapBytes));
        ram.Span(FuzzLayout.Tss + FuzzLayout.IoMapOffset + FuzzLayout.IoBitmapBytes, 1)[0] = 0xFF;

        // Handlers, the IDT (or the real-mode IVT) and the fast-call entry.
        ram.Span(FuzzLayout.Handlers, 4096).Fill(Hlt);
        ram.Span(FuzzLayout.FastCallEntry, 16).Fill(Hlt);
        for (int v = 0; v < 256; v++)
        {
            ulong handler = FuzzLayout.Handlers + ((ulong)v * 16);
            int type = sc.GateTrap[v] ? SystemDescriptorType.TrapGate : SystemDescriptorType.InterruptGate;
            ulong access = (ulong)(0x80 | (sc.GateDpl[v] << 5) | type);
            switch (sc.Mode)
            {
                case FuzzMode.Real:
                    Write32((ulong)v * 4, (uint)((FuzzLayout.Handlers >> 4) << 16) | (uint)(v * 16));
                    break;
                case FuzzMode.Protected16 or FuzzMode.Protected32:
                    Write64(FuzzLayout.Idt + ((ulong)v * 8), (handler & 0xFFFF) | ((ulong)FuzzLayout.KernelCode32 << 16) | (access << 40) | ((handler >> 16) << 48));
                    break;
                default:
                    Write64(FuzzLayout.Idt + ((ulong)v * 16), (handler & 0xFFFF) | ((ulong)FuzzLayout.KernelCode64 << 16) | (access << 40) | ((handler >> 16) << 48));
                    Write64(FuzzLayout.Idt + ((ulong)v * 16) + 8, 0);
                    break;
            }
        }

        // Identity page tables over the RAM, with the scenario's rights taken away from some pages.
        for (int page = 0; page < FuzzLayout.RamSize / 4096; page++)
        {
            byte rights = sc.PageRights[page];
            ulong user = page >= FuzzLayout.FirstUserPage && (rights & 2) == 0 ? 4UL : 0;
            ulong entry = ((ulong)page << 12) | 1 | ((rights & 1) == 0 ? 2UL : 0) | user;
            Write64(FuzzLayout.PageTable64 + ((ulong)page * 8), entry | ((rights & 4) != 0 && sc.NoExecute ? 1UL << 63 : 0));
            Write32(FuzzLayout.PageTable32 + ((ulong)page * 4), (uint)entry);
        }

        Write64(FuzzLayout.Pml4, FuzzLayout.Pdpt | 7);
        Write64(FuzzLayout.Pdpt, FuzzLayout.PageDirectory64 | 7);
        Write64(FuzzLayout.PageDirectory64, FuzzLayout.PageTable64 | 7);
        Write32(FuzzLayout.PageDirectory32, (uint)FuzzLayout.PageTable32 | 7);

        // The stream, a HLT after it, and the data.
        sc.Code.CopyTo(ram.Span(FuzzLayout.Code, sc.Code.Length));
        ram.Span(FuzzLayout.Code + (ulong)sc.Code.Length, 1)[0] = Hlt;
        new Random(sc.DataSeed).NextBytes(ram.Span(FuzzLayout.Data, FuzzLayout.DataSize));
    }

    private void Enter(FuzzScenario sc)
    {
        CpuState s = Cpu.State;
        ModelSpecificRegisters msr = Cpu.SystemRegisters.Msr;
        msr.Star = ((ulong)FuzzLayout.UserCode32 << 48) | ((ulong)FuzzLayout.KernelCode64 << 32) | (uint)FuzzLayout.FastCallEntry;
        msr.Lstar = msr.Cstar = FuzzLayout.FastCallEntry;
        msr.Fmask = sc.Rflags & 0x4_7FD5;
        msr.SysenterCs = FuzzLayout.KernelCode64;
        msr.SysenterEip = FuzzLayout.FastCallEntry;
        msr.SysenterEsp = FuzzLayout.KernelStack;
        msr.TscAux = (uint)sc.Seed;

        Array.Copy(sc.Gpr, s.Gpr, 16);
        if (sc.Mode == FuzzMode.Real)
        {
            ControlRegisters.WriteCr0(Cpu, sc.Cr0Extra & ~ControlRegisters.Cr0Wp); // WP without paging is harmless, but keep real mode plain
            ControlRegisters.WriteCr4(Cpu, sc.Cr4 & ~(ControlRegisters.Cr4Pae | ControlRegisters.Cr4Pke));
            s.IdtrBase = 0;
            s.IdtrLimit = 0x3FF;
            SetRealSegment(SegmentIndex.Cs, (ushort)(FuzzLayout.Code >> 4));
            SetRealSegment(SegmentIndex.Ss, (ushort)(FuzzLayout.StackSegment >> 4));
            foreach (int seg in (int[])[SegmentIndex.Ds, SegmentIndex.Es, SegmentIndex.Fs, SegmentIndex.Gs])
            {
                SetRealSegment(seg, (ushort)(FuzzLayout.Data >> 4));
            }

            s.Gpr[GprIndex.Rsp] = FuzzLayout.StackPointer;
            s.Rip = 0;
            s.Rflags = sc.Rflags;
            return;
        }

        bool longMode = sc.Mode is FuzzMode.Compatibility or FuzzMode.Long;
        s.GdtrBase = FuzzLayout.Gdt;
        s.GdtrLimit = FuzzLayout.GdtLimit;
        s.IdtrBase = FuzzLayout.Idt;
        s.IdtrLimit = (ushort)((256 * (longMode ? 16 : 8)) - 1);
        s.Tr = Segment(FuzzLayout.TssSelector);

        // As a kernel enters its mode: CR4, EFER, CR3, then CR0 (PE and PG) from a 32-bit code segment.
        s.Segments[SegmentIndex.Cs] = Segment(FuzzLayout.KernelCode32);
        ControlRegisters.WriteCr4(Cpu, sc.Cr4);
        ulong efer = (longMode ? ProcessorMode.EferLme : 0) | (sc.Syscall ? ProcessorMode.EferSce : 0) | (sc.NoExecute ? ProcessorMode.EferNxe : 0);
        ControlRegisters.WriteEfer(Cpu, efer);
        ControlRegisters.WriteCr3(Cpu, longMode ? FuzzLayout.Pml4 : FuzzLayout.PageDirectory32);
        ControlRegisters.WriteCr0(Cpu, ControlRegisters.Cr0Pe | sc.Cr0Extra | (sc.Paging ? ControlRegisters.Cr0Pg : 0));

        bool user = sc.Cpl == 3;
        (ushort code, ushort data, ushort stack, ulong sp, ulong ip) = sc.Mode switch
        {
            FuzzMode.Protected16 => user
                ? (FuzzLayout.UserCode16, FuzzLayout.UserData16, FuzzLayout.UserStack16, FuzzLayout.StackPointer, 0UL)
                : (FuzzLayout.KernelCode16, FuzzLayout.KernelData16, FuzzLayout.KernelStack16, FuzzLayout.StackPointer, 0UL),
            FuzzMode.Protected32 or FuzzMode.Compatibility => user
                ? (FuzzLayout.UserCode32, FuzzLayout.UserData, FuzzLayout.UserData, FuzzLayout.StackSegment + FuzzLayout.StackPointer, FuzzLayout.Code)
                : (FuzzLayout.KernelCode32, FuzzLayout.KernelData, FuzzLayout.KernelData, FuzzLayout.KernelStack, FuzzLayout.Code),
            _ => user
                ? (FuzzLayout.UserCode64, FuzzLayout.UserData, FuzzLayout.UserData, FuzzLayout.StackSegment + FuzzLayout.StackPointer, FuzzLayout.Code)
                : (FuzzLayout.KernelCode64, FuzzLayout.KernelData, FuzzLayout.KernelData, FuzzLayout.KernelStack, FuzzLayout.Code),
        };
        int rpl = user ? 3 : 0;
        foreach (int seg in (int[])[SegmentIndex.Ds, SegmentIndex.Es, SegmentIndex.Fs, SegmentIndex.Gs])
        {
            s.Segments[seg] = Segment((ushort)(data | rpl));
        }

        s.Segments[SegmentIndex.Ss] = Segment((ushort)(stack | rpl));
        s.Segments[SegmentIndex.Cs] = Segment((ushort)(code | rpl));
        s.Gpr[GprIndex.Rsp] = sp;
        s.Rip = ip;
        s.Rflags = sc.Rflags;
    }

    private void SetRealSegment(int seg, ushort selector) =>
        Cpu.State.Segments[seg] = new SegmentRegister { Selector = selector, Base = (ulong)selector << 4, Limit = 0xFFFF, Attributes = (ushort)(seg == SegmentIndex.Cs ? 0x9B : 0x93) };

    private SegmentRegister Segment(ushort selector) =>
        new SegmentDescriptor(BinaryPrimitives.ReadUInt64LittleEndian(ram.Span(FuzzLayout.Gdt + (ulong)(selector & 0xFFF8), 8))).ToSegment(selector);

    private void WriteDescriptor(ushort selector, ulong descriptor) => Write64(FuzzLayout.Gdt + selector, descriptor);

    private void Write64(ulong at, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(ram.Span(at, 8), value);

    private void Write32(ulong at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(ram.Span(at, 4), value);
}
