using Cpu.Execution;
using Cpu.State;
using Cpu.System;
using Cpu.Tests.Translation;
using Cpu.Translation;
using Mmu;
using Mmu.Io;
using Mmu.Physical;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// Runs snippets in the emulator's CPU: a processor per thread whose decoded-block cache is cleared per
/// case, 64-bit mode (or 32-bit protected mode for 32-bit cases) set directly in the state (CS.L=1, EFER.LME|LMA, CR0.PE, paging off so linear =
/// physical, CR4.OSFXSR and OSXMMEXCPT set as an SSE-enabled OS has them), the snippet followed by HLT at the same address as natively, IF clear so HLT stops the run.
/// </summary>
public static class EmulatedCpu
{
    public const byte Hlt = 0xF4;

    /// <summary>Descriptor attributes (bits 40-55 >> 40): execute/read, accessed, S, P, L, G.</summary>
    public const ushort LongModeCode = SegmentAttributes.Code | SegmentAttributes.Writable | SegmentAttributes.Accessed |
        SegmentAttributes.CodeOrData | SegmentAttributes.Present | SegmentAttributes.Long | SegmentAttributes.Granularity;

    /// <summary>The same 32-bit (D=1, L=0) for 32-bit cases.</summary>
    public const ushort FlatCode32 = (LongModeCode & ~SegmentAttributes.Long) | SegmentAttributes.Big;

    /// <summary>Read/write, accessed, S, P, D/B, G.</summary>
    public const ushort FlatData = SegmentAttributes.Writable | SegmentAttributes.Accessed | SegmentAttributes.CodeOrData |
        SegmentAttributes.Present | SegmentAttributes.Big | SegmentAttributes.Granularity;

    /// <summary>Enough for every snippet (string loops and LOOP use small counts).</summary>
    public const long InstructionBudget = 100_000;

    // Guest RAM and a processor are reused per thread: building them costs more than a case.
    [ThreadStatic]
    private static PhysicalMemory? threadRam;

    [ThreadStatic]
    private static Processor? threadCpu;

    /// <summary>
    /// Runs a case on this thread's reused processor (its block cache cleared), or on a fresh one, with
    /// the interpreter alone or with every block compiled (<paramref name="jit"/>, by default
    /// <see cref="JitEnvironment.Mode"/>; blocks are compiled <paramref name="firstTier"/> first). The runner
    /// confirms every mismatch on a fresh processor, so reuse cannot invent failures.
    /// </summary>
    public static MachineSnapshot Run(DiffCase c, bool fresh = false, JitMode? jit = null, CompileTier firstTier = CompileTier.Quick)
    {
        PhysicalMemory ram = threadRam ??= new PhysicalMemory(HarnessLayout.GuestRamSize);
        Processor cpu;
        if (fresh || threadCpu is null)
        {
            cpu = new Processor(new LinearMemory(new PhysicalBus(ram)), new PortSpace());
            threadCpu ??= cpu;
        }
        else
        {
            cpu = threadCpu;
        }

        Load(ram, c);
        cpu.Blocks.Clear();
        cpu.Halted = false;
        cpu.JitMode = jit ?? JitEnvironment.Mode;
        cpu.JitFirstTier = firstTier;
        CpuState s = cpu.State;
        Prepare(cpu, c.Gpr, c.Flags, c.Bitness);
        ExtendedState.LoadImage(s, c.Fpu ?? FpuImage.Default());
        string? error = null;
        try
        {
            StopReason stop = cpu.Run(InstructionBudget);
            if (stop != StopReason.Halted)
            {
                error = $"Run returned {stop} instead of Halted" + (cpu.TripleFaultMessage is { } why ? $" ({why})" : "");
            }
        }
        catch (Exception e)
        {
            error = $"{e.GetType().Name}: {e.Message}";
        }

        return new MachineSnapshot
        {
            Gpr = (ulong[])s.Gpr.Clone(),
            Flags = s.Rflags,
            // RIP ends after the HLT that follows the snippet.
            RipOffset = (long)(s.Rip - HarnessLayout.SnippetAddress) - 1,
            Data = ram.Span(HarnessLayout.DataAddress, HarnessLayout.DataSize).ToArray(),
            Stack = ram.Span(HarnessLayout.StackWindowAddress, HarnessLayout.StackWindowSize).ToArray(),
            Fpu = StoredImage(s),
            Error = error,
        };
    }

    private static byte[] StoredImage(CpuState s)
    {
        var image = new byte[HarnessLayout.FpuImageSize];
        ExtendedState.StoreImage(s, image);
        return image;
    }

    /// <summary>
    /// Puts the processor in flat 64-bit mode (or, for <paramref name="bitness"/> 32, flat 32-bit protected
    /// mode without long mode) at CPL 0 with the given registers, at the snippet.
    /// </summary>
    public static void Prepare(Processor cpu, ulong[] gpr, ulong flags, int bitness = 64)
    {
        CpuState s = cpu.State;
        for (int i = 0; i < 6; i++)
        {
            s.Segments[i] = new SegmentRegister { Selector = 0x10, Base = 0, Limit = 0xFFFF_FFFF, Attributes = FlatData };
        }

        s.Segments[SegmentIndex.Cs] = new SegmentRegister { Selector = 0x08, Base = 0, Limit = 0xFFFF_FFFF, Attributes = bitness == 32 ? FlatCode32 : LongModeCode };
        s.Cr0 = ControlRegisters.Cr0Pe;
        // CR4.PKE as a Linux host sets it for user code (RDPKRU/WRPKRU); with paging off it changes no access.
        s.Cr4 = ControlRegisters.Cr4Pae | ControlRegisters.Cr4Osfxsr | ControlRegisters.Cr4Osxmmexcpt | ControlRegisters.Cr4Pke;
        s.Efer = bitness == 32 ? 0 : ProcessorMode.EferLme | ProcessorMode.EferLma;
        cpu.Memory.SetPagingControls(s.Cr0, s.Cr4, s.Efer);
        gpr.CopyTo(s.Gpr, 0);
        s.Rflags = (flags & ~FlagBits.IF) | 2;
        s.Rip = HarnessLayout.SnippetAddress;
    }

    /// <summary>Copies the snippet (and HLT), the data buffer and the stack window into guest RAM.</summary>
    public static void Load(PhysicalMemory ram, DiffCase c)
    {
        ram.Span(HarnessLayout.SnippetAddress, HarnessLayout.CodeEnd - HarnessLayout.SnippetOffset).Clear();
        c.Code.CopyTo(ram.Span(HarnessLayout.SnippetAddress, c.Code.Length));
        ram.Span(HarnessLayout.SnippetAddress + (ulong)c.Code.Length, 1)[0] = Hlt;
        c.Data.CopyTo(ram.Span(HarnessLayout.DataAddress, HarnessLayout.DataSize));
        c.Stack.CopyTo(ram.Span(HarnessLayout.StackWindowAddress, HarnessLayout.StackWindowSize));
    }
}
