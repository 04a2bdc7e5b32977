using System.Runtime.CompilerServices;
using Cpu.Debug;
using Cpu.Decode;
using Cpu.Execution;
using Cpu.Instructions;
using Cpu.Interpreter;
using Cpu.State;
using Cpu.System;
using Cpu.Translation;
using Iced.Intel;
using Mmu;
using Mmu.Interrupts;
using Mmu.Io;
using Mmu.Paging;

namespace Cpu;

/// <summary>
/// One x86-64 processor: it runs guest instructions from <see cref="State"/> against a
/// <see cref="LinearMemory"/> and a <see cref="PortSpace"/>, taking interrupts from an
/// <see cref="IInterruptController"/> at instruction boundaries.
/// </summary>
public sealed partial class Processor
{
    private volatile bool stopRequested;
    private bool exitBlock;
    private long retired;
    private long shadowUntil = -1;
    private string? tripleFaultMessage;
    private bool tripleFault;
    private bool nmiPending;
    private bool nmiBlocked;

    /// <summary>
    /// The block that last ran to its end through pre-decoded forms only, or null. Nothing such a block
    /// does changes the mode, the paging controls or the TLB, so its successor may run without a new
    /// translation of RIP when it lies on the same linear page (<see cref="OnPreviousPage"/>; a code write
    /// still clears Valid).
    /// </summary>
    private DecodedBlock? cleanLast;

    /// <summary>
    /// True when <paramref name="next"/> lies wholly on the linear page <paramref name="previous"/> starts on: that
    /// page was translated under the current mapping when <paramref name="previous"/> was found, so it holds the
    /// same bytes. A successor on another page may have been remapped (and its TLB entry dropped) since the link
    /// was made, so it is looked up again.
    /// </summary>
    private static bool OnPreviousPage(DecodedBlock previous, DecodedBlock next) =>
        ((previous.Linear(previous.LinearStart) ^ next.Linear(next.LinearStart)) & ~0xFFFUL) == 0 &&
        next.PhysicalStart >> 12 == previous.PhysicalStart >> 12 && !next.CrossesPage;

    public Processor(LinearMemory memory, PortSpace ports)
    {
        Memory = memory;
        Ports = ports;
        Blocks = new BlockCache(memory, Counters);
        Blocks.Invalidated += () => exitBlock = true;
        Jit = new TieredCompiler(this);
        Debugger = new ExternalDebugger(memory.Watchpoints);
        Debugger.Changed += UpdateDebugArmed;
        GuestDebug = new DebugRegisters(SystemRegisters.Debug, memory.Watchpoints);
        GuestDebug.Changed += UpdateDebugArmed;
        GuestDebug.DataArmed += WatchReadsInCompiledCode;
        memory.Watchpoints.Triggered += EndBlock;
    }

    /// <summary>Whether hot blocks run as compiled IL (<see cref="Translation.JitMode"/>); Off by default.</summary>
    public JitMode JitMode { get; set; }

    /// <summary>
    /// Under <see cref="JitMode.On"/>, when compiles are made and their code takes over (<see cref="Translation.JitCompileTiming"/>):
    /// in the background by default; at a deadline in instructions for a deterministic run; at once for tests.
    /// </summary>
    public JitCompileTiming JitCompileTiming { get; set; }

    /// <summary>
    /// The tier a block is first compiled in: <see cref="CompileTier.Quick"/> (the default, recompiled
    /// optimized when hot) or <see cref="CompileTier.Optimized"/> at once (tests use it to cover that tier
    /// with code that runs once).
    /// </summary>
    public CompileTier JitFirstTier { get; set; }

    /// <summary>Whether the optimized tier compiles a loop of several blocks as one method (<see cref="Translation.RegionFormer"/>); on by default.</summary>
    public bool JitRegions { get; set; } = true;

    /// <summary>The compiled tier: tier-up, compiled-code execution and its counters.</summary>
    public TieredCompiler Jit { get; }

    /// <summary>
    /// Read by compiled code before it goes round a loop again: true when the dispatcher must run (the block
    /// must be left or a stop was requested). Interrupts are checked by the dispatcher, which a compiled
    /// loop returns to at least every <see cref="BlockEmitter.MaxPassesPerEntry"/> passes.
    /// </summary>
    internal bool MustLeaveCompiledLoop() => exitBlock || stopRequested;

    /// <summary>True when the running block must be left after the current instruction (read by compiled code).</summary>
    internal bool BlockExitRequested => exitBlock;

    public CpuState State { get; } = new();

    public LinearMemory Memory { get; }

    public PortSpace Ports { get; }

    /// <summary>Where maskable interrupts come from (the local APIC); null means none ever arrive.</summary>
    public IInterruptController? InterruptController { get; set; }

    /// <summary>Instructions retired since reset.</summary>
    public long InstructionsRetired => retired + CompiledInFlight;

    /// <summary>
    /// Instructions the running compiled block has completed but not yet added to the count, set before each
    /// instruction that may fault or reach a device (a memory access off the inline TLB path, IN, a semantic
    /// method): the virtual clock reads <see cref="InstructionsRetired"/>, and a fault finds its instruction.
    /// Zero between compiled blocks.
    /// </summary>
    internal long CompiledInFlight;

    /// <summary>
    /// Where compiled code that spans several blocks (a region) is: the member block times 65 536 plus the
    /// instruction in it, stored with <see cref="CompiledInFlight"/> at its fault points and at its exits (the
    /// member it leaves from), so that a fault or an exit names the block it happened in.
    /// </summary>
    internal int CompiledRegionPosition;

    /// <summary>Exceptions, interrupts, transitions, decoded blocks, unimplemented instructions.</summary>
    public CpuCounters Counters { get; } = new();

    /// <summary>MSRs, debug registers, CR8, CPUID features and the TSC source (owned by the system instructions).</summary>
    public SystemRegisters SystemRegisters { get; } = new();

    /// <summary>The decoded-block cache.</summary>
    public BlockCache Blocks { get; }

    /// <summary>True after HLT until an interrupt is taken.</summary>
    public bool Halted { get; set; }

    /// <summary>Why the last triple fault happened, for the machine's message.</summary>
    public string? TripleFaultMessage => tripleFaultMessage;

    /// <summary>Decoder and addressing mode of the running code: 64 (CS.L), 32 (CS.D) or 16. Updated at block boundaries.</summary>
    public int Bitness { get; private set; } = 16;

    /// <summary>
    /// Inhibits maskable interrupts until the instruction after the current one has retired
    /// (STI, MOV SS, POP SS: Intel SDM 6.8.3). Counted from <see cref="InstructionsRetired"/>, which includes
    /// what a running compiled block completed before it called the instruction (<see cref="CompiledInFlight"/>).
    /// </summary>
    public void SetInterruptShadow() => shadowUntil = InstructionsRetired + 2;

    /// <summary>An NMI is latched and waits for the next instruction boundary at which NMIs are not blocked.</summary>
    public bool NmiPending => nmiPending;

    /// <summary>An NMI handler runs: further NMIs wait until the next IRET (Intel SDM Vol. 3A, 6.7.1).</summary>
    public bool NmiBlocked => nmiBlocked;

    /// <summary>
    /// The NMI input (from the local APIC: an IPI or LINT1 in NMI mode). One NMI is latched; it is taken at
    /// the next instruction boundary whatever RFLAGS.IF says, and wakes a halted processor.
    /// </summary>
    public void RaiseNmi()
    {
        nmiPending = true;
        exitBlock = true;
    }

    /// <summary>IRET: NMIs are accepted again.</summary>
    public void UnblockNmi()
    {
        if (nmiBlocked)
        {
            nmiBlocked = false;
            exitBlock = true; // a latched NMI is taken after the IRET
        }
    }

    /// <summary>Forgets a latched NMI and its blocking (processor reset or INIT).</summary>
    public void ResetNmi()
    {
        nmiPending = false;
        nmiBlocked = false;
    }

    /// <summary>Leaves the running block after the current instruction (state that affects decoding or interrupts changed).</summary>
    public void EndBlock() => exitBlock = true;

    /// <summary>Called by interrupt delivery when it cannot deliver a double fault: <see cref="Run"/> returns <see cref="StopReason.TripleFault"/>.</summary>
    public void SignalTripleFault(string message)
    {
        tripleFault = true;
        tripleFaultMessage = message;
        exitBlock = true;
    }

    /// <summary>
    /// Runs until <paramref name="maxInstructions"/> have retired or something stops the CPU.
    /// Guest faults are delivered to the guest; they never escape as .NET exceptions.
    /// </summary>
    public StopReason Run(long maxInstructions)
    {
        long limit = retired + maxInstructions;
        CpuState s = State;

        // The state may have been changed from outside since the last run.
        cleanLast = null;
        while (true)
        {
            if (tripleFault)
            {
                tripleFault = false;
                return StopReason.TripleFault;
            }

            if (stopRequested)
            {
                stopRequested = false;
                return StopReason.StopRequested;
            }

            if (retired >= limit)
            {
                return StopReason.BudgetExhausted;
            }

            if (nmiPending && !nmiBlocked && !DebuggerHoldsInterrupts)
            {
                TakeNmi();
                continue;
            }

            if ((s.FlagBits & Rflag.IF) != 0 && retired >= shadowUntil && InterruptController is { HasPendingInterrupt: true } pic && !DebuggerHoldsInterrupts)
            {
                TakeInterrupt(pic);
                continue;
            }

            if (Halted)
            {
                return StopReason.Halted;
            }

            // One test while nothing is armed: TF and RF sit with IF in the flags word.
            if (((s.FlagBits & (Rflag.TF | Rflag.RF)) | debugArmed) != 0)
            {
                if (RunDebugged(limit) is StopReason stop)
                {
                    return stop;
                }

                continue;
            }

            RunBlock(limit);
        }
    }

    /// <summary>Asks a running <see cref="Run"/> to return at the next instruction boundary (thread-safe).</summary>
    public void RequestStop()
    {
        stopRequested = true;
    }

    /// <summary>
    /// Raises a fault on behalf of the run loop (RIP must point at the faulting instruction). RF is set in
    /// the RFLAGS image pushed for it, so that the instruction restarts past its instruction breakpoint (SDM 18.3.1.1).
    /// </summary>
    public void RaiseException(int vector, uint? errorCode)
    {
        Counters.RecordException(vector);
        State.FlagBits |= Rflag.RF;
        SafeDeliver(vector, errorCode, software: false);
    }

    private void TakeInterrupt(IInterruptController pic)
    {
        int vector = pic.Acknowledge();
        Halted = false;
        Counters.RecordInterrupt(vector);
        SafeDeliver(vector, null, software: false);
    }

    private void TakeNmi()
    {
        nmiPending = false;
        nmiBlocked = true;
        Halted = false;
        Counters.RecordInterrupt(ExceptionVector.Nmi);
        SafeDeliver(ExceptionVector.Nmi, null, software: false);
    }

    private void SafeDeliver(int vector, uint? errorCode, bool software)
    {
        cleanLast = null;
        try
        {
            SyncModeFromState();
            InterruptDelivery.Deliver(this, vector, errorCode, software);
        }
        catch (CpuException e)
        {
            SignalTripleFault($"exception {e.Vector} while delivering vector {vector} at RIP 0x{State.Rip:X}");
        }
        catch (PageFaultException e)
        {
            SignalTripleFault($"page fault at 0x{e.LinearAddress:X} while delivering vector {vector} at RIP 0x{State.Rip:X}");
        }

        exitBlock = true;
    }

    /// <summary>CS's base, which instruction fetches add to RIP: 0 in 64-bit mode (SDM Vol. 3A 3.4.4).</summary>
    private ulong CodeBase => Bitness == 64 ? 0 : State.Segments[SegmentIndex.Cs].Base;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SyncModeFromState()
    {
        ushort attributes = State.Segments[SegmentIndex.Cs].Attributes;
        Bitness = (attributes & (1 << 13)) != 0 ? 64 : (attributes & (1 << 14)) != 0 ? 32 : 16;

        // The setters reselect the TLB context: only call them on a change (this runs once per block).
        bool user = State.Cpl == 3 && (State.Cr0 & 1) != 0;
        if (Memory.UserMode != user)
        {
            Memory.UserMode = user;
        }

        bool alignmentCheck = (State.FlagBits & Rflag.AC) != 0;
        if (Memory.AlignmentCheck != alignmentCheck)
        {
            Memory.AlignmentCheck = alignmentCheck;
        }
    }

    private void RunBlock(long limit)
    {
        CpuState s = State;
        DecodedBlock block;
        DecodedBlock? previous = cleanLast;
        if (previous?.Successor is { } next && next.LinearStart == s.Rip && next.Valid && OnPreviousPage(previous, next))
        {
            block = next;
        }
        else
        {
            SyncModeFromState();
            if (Bitness != 64 && s.Rip > s.Segments[SegmentIndex.Cs].Limit)
            {
                // A fetch past CS's limit (SDM Vol. 3A 5.3): checked where a block starts, not per instruction.
                RaiseException(ExceptionVector.GeneralProtection, 0);
                return;
            }

            try
            {
                block = Blocks.Get(s.Rip, Bitness, CodeBase, s.Segments[SegmentIndex.Cs].Limit);
            }
            catch (PageFaultException pf)
            {
                DeliverPageFault(pf);
                return;
            }
            catch (CpuException e)
            {
                RaiseException(e.Vector, e.ErrorCode);
                return;
            }

            if (previous is not null && previous.Successor != block)
            {
                previous.Successor = block;
            }
        }

        Instruction[] instructions = block.Instructions;
        FastOp[] ops = block.Ops;
        int count = block.Count;

        // Inside an interrupt shadow, stop where it ends so a pending interrupt is taken there.
        if (shadowUntil > retired && shadowUntil < limit)
        {
            limit = shadowUntil;
        }

        int i = 0;
        int fastStart = -1;
        int fastDone = 0;
        exitBlock = false;
        try
        {
            if (JitMode != JitMode.Off && !interpretOnly && TieredCompiler.WantsToRun(block, JitMode))
            {
                Jit.Execute(ref block, limit - retired, ref retired, ref i);
                if (i > 0 && (exitBlock || retired >= limit))
                {
                    return;
                }

                // Chained compiled blocks may have moved execution into another block.
                instructions = block.Instructions;
                ops = block.Ops;
                count = block.Count;
            }

            while (i < count)
            {
                ref FastOp op = ref ops[i];
                if (op.Kind == FastKind.Generic)
                {
                    s.Rip = op.NextIp;
                    InstructionTable.Execute(this, ref instructions[i]);
                    retired++;
                    i++;
                }
                else
                {
                    // A run of pre-decoded forms; the retired count is brought up to date after it (or at its fault).
                    fastStart = i;
                    FastDispatcher.Run(this, s, ops, ref i, (int)Math.Min(count, i + (limit - retired)), ref exitBlock);
                    retired += i - fastStart;
                    fastDone += i - fastStart;
                    fastStart = -1;
                }

                if (exitBlock || retired >= limit)
                {
                    break;
                }
            }

            // A reference store costs a GC write barrier: a loop leaves the field unchanged. (A fault clears
            // it in SafeDeliver.)
            if (fastDone == count && !exitBlock)
            {
                if (cleanLast != block)
                {
                    cleanLast = block;
                }
            }
            else
            {
                cleanLast = null;
            }
        }
        catch (PageFaultException pf)
        {
            // block, not instructions: a fault in a chained compiled block is in the block it moved to.
            RetireFastRun(i, fastStart);
            s.Rip = block.Instructions[i].IP;
            DeliverPageFault(pf);
        }
        catch (CpuException e)
        {
            RetireFastRun(i, fastStart);
            s.Rip = block.Instructions[i].IP;
            RaiseException(e.Vector, e.ErrorCode);
        }
        catch (Exception e) when (e is not EmulatorBugException)
        {
            throw new EmulatorBugException(block.Instructions[i], e);
        }
    }

    /// <summary>Counts the pre-decoded instructions that retired before the one at <paramref name="faulting"/> faulted.</summary>
    private void RetireFastRun(int faulting, int fastStart)
    {
        if (fastStart >= 0)
        {
            retired += faulting - fastStart;
        }
    }

    private void DeliverPageFault(PageFaultException pf)
    {
        State.Cr2 = pf.LinearAddress;
        RaiseException(ExceptionVector.PageFault, pf.ErrorCode);
    }
}
