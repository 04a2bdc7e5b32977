using System.Globalization;
using System.Text;

namespace Emulator.Machines;

/// <summary>
/// What the machine counted in a run (DESIGN.md section 8). A record so new counters are one more
/// property; <see cref="WithoutHostTiming"/> keeps only what a deterministic run must reproduce.
/// </summary>
public sealed record MachineCounters
{
    public long InstructionsRetired { get; init; }

    /// <summary>Host seconds spent running.</summary>
    public double HostSeconds { get; init; }

    /// <summary>Guest instructions per host microsecond.</summary>
    public double GuestMips => HostSeconds > 0 ? InstructionsRetired / HostSeconds / 1e6 : 0;

    public long VirtualTimeNs { get; init; }

    /// <summary>Virtual time skipped while the guest halted (deterministic mode).</summary>
    public long HaltedNs { get; init; }

    /// <summary>Times the guest halted waiting for an interrupt.</summary>
    public long Halts { get; init; }

    /// <summary>Times the machine was reset (by the guest, a triple fault or the host) and booted again.</summary>
    public long Resets { get; init; }

    /// <summary>Interrupts the CPU acknowledged (all sources).</summary>
    public long InterruptsDelivered { get; init; }

    /// <summary>8259 interrupts acknowledged, by ISA IRQ (0-15).</summary>
    public IReadOnlyList<long> PicInterruptsByIrq { get; init; } = [];

    /// <summary>IOAPIC messages sent, by pin (0-23).</summary>
    public IReadOnlyList<long> IoApicInterruptsByPin { get; init; } = [];

    public long PicSpuriousInterrupts { get; init; }

    public long LapicTimerInterrupts { get; init; }

    public long PitInterrupts { get; init; }

    public long RtcInterrupts { get; init; }

    public long KeyboardInterrupts { get; init; }

    public long SerialBytesOut { get; init; }

    public long SerialBytesIn { get; init; }

    // ---- the virtio-blk disks' counters, summed over the drives ----

    /// <summary>Disk requests completed (reads, writes, flushes and others).</summary>
    public long DiskRequests { get; init; }

    public long DiskBytesRead { get; init; }

    public long DiskBytesWritten { get; init; }

    public long DiskFlushes { get; init; }

    /// <summary>DISCARD requests (holes punched in the images).</summary>
    public long DiskDiscards { get; init; }

    /// <summary>WRITE_ZEROES requests.</summary>
    public long DiskWriteZeroes { get; init; }

    /// <summary>Queue notifications (doorbell writes) by the guest's disk drivers.</summary>
    public long DiskNotifications { get; init; }

    /// <summary>Interrupts the disks raised (INTx rising edges and MSI-X messages).</summary>
    public long DiskInterrupts { get; init; }

    public long UnclaimedPortReads { get; init; }

    public long UnclaimedPortWrites { get; init; }

    public long UnmappedMemoryReads { get; init; }

    public long UnmappedMemoryWrites { get; init; }

    // ---- the CPU's and the MMU's counters (DESIGN.md section 8) ----

    /// <summary>Privilege transitions by kind (SYSCALL, SYSRET, interrupt, exception, INT n and IRET to user, ...).</summary>
    public IReadOnlyList<KeyValuePair<string, long>> TransitionsByKind { get; init; } = [];

    /// <summary>Exceptions raised by guest instructions (all vectors).</summary>
    public long Exceptions { get; init; }

    public long BlocksDecoded { get; init; }

    public long BlocksInvalidated { get; init; }

    public long Cr3Writes { get; init; }

    public long TlbHits { get; init; }

    public long TlbMisses { get; init; }

    public long PageWalks { get; init; }

    public long PageFaults { get; init; }

    public long TlbFullFlushes { get; init; }

    public long TlbPcidFlushes { get; init; }

    public long TlbPageFlushes { get; init; }

    // ---- the JIT's counters (they depend on background compile timing, so they are not deterministic) ----

    /// <summary>Guest blocks compiled to IL.</summary>
    public long JitBlocksCompiled { get; init; }

    /// <summary>Entries into compiled blocks straight from another compiled block (chaining).</summary>
    public long JitChainedEntries { get; init; }

    /// <summary>Of those compiles, the recompiles of hot blocks with the shared methods inlined.</summary>
    public long JitBlocksOptimized { get; init; }

    /// <summary>Regions compiled (several blocks of a loop in one method), and the blocks in them.</summary>
    public string JitRegions { get; init; } = "0 (0 blocks)";

    /// <summary>Median compile time of one block, in microseconds.</summary>
    public double JitCompileMedianMicroseconds { get; init; }

    /// <summary>99th-percentile compile time of one block, in microseconds.</summary>
    public double JitCompileP99Microseconds { get; init; }

    /// <summary>Compile time of all blocks, in milliseconds (mostly on other host threads).</summary>
    public double JitCompileTotalMilliseconds { get; init; }

    /// <summary>Of that, what the processor's thread waited for, in milliseconds (the critical path).</summary>
    public double JitCompileWaitMilliseconds { get; init; }

    /// <summary>The share of instructions retired in compiled code, in percent (0 to 100).</summary>
    public double JitInstructionSharePercent => InstructionsRetired > 0 ? 100.0 * JitInstructions / InstructionsRetired : 0;

    /// <summary>Instructions retired inside compiled code (the rest ran in the interpreter).</summary>
    public long JitInstructions { get; init; }

    /// <summary>Instructions retired by the interpreter.</summary>
    public long InterpretedInstructions => InstructionsRetired - JitInstructions;

    /// <summary>The instructions that ended compiled prefixes, "mnemonic=compiles", most frequent first ("-" when none).</summary>
    public string JitPrefixEnds { get; init; } = "-";

    /// <summary>
    /// Why runs of compiled code ended, "reason=runs" (chained, notcompiled, notfound, interpreted, budget,
    /// chainlimit, passlimit, event, endedbyinstruction, codewrite, fault; zeros left out), then how chained
    /// successors were found: "link=" (a block's own links), "cachehit=" and "cachemiss=" (the target cache).
    /// </summary>
    public string JitExits { get; init; } = "-";

    /// <summary>Compiled blocks thrown away because the guest wrote their code.</summary>
    public long JitInvalidations { get; init; }

    /// <summary>The counters without host time (equal between two deterministic runs of the same input).</summary>
    public MachineCounters WithoutHostTiming() => this with
    {
        HostSeconds = 0,
        JitBlocksCompiled = 0,
        JitBlocksOptimized = 0,
        JitRegions = "0 (0 blocks)",
        JitChainedEntries = 0,
        JitCompileMedianMicroseconds = 0,
        JitCompileP99Microseconds = 0,
        JitCompileTotalMilliseconds = 0,
        JitCompileWaitMilliseconds = 0,
        JitInstructions = 0,
        JitInvalidations = 0,
        JitPrefixEnds = "-",
        JitExits = "-",
    };

    /// <summary>One counter per line, "name: value", for --stats.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        void Line(string name, object value) => sb.Append(CultureInfo.InvariantCulture, $"{name,-26} {value}\n");
        Line("instructions retired:", InstructionsRetired);
        Line("host seconds:", HostSeconds.ToString("F3", CultureInfo.InvariantCulture));
        Line("guest MIPS:", GuestMips.ToString("F1", CultureInfo.InvariantCulture));
        Line("virtual time (ms):", (VirtualTimeNs / 1e6).ToString("F3", CultureInfo.InvariantCulture));
        Line("halted (ms):", (HaltedNs / 1e6).ToString("F3", CultureInfo.InvariantCulture));
        Line("halts:", Halts);
        Line("resets:", Resets);
        Line("interrupts delivered:", InterruptsDelivered);
        Line("pic irqs:", Join(PicInterruptsByIrq));
        Line("ioapic pins:", Join(IoApicInterruptsByPin));
        Line("pic spurious:", PicSpuriousInterrupts);
        Line("lapic timer:", LapicTimerInterrupts);
        Line("pit irq0:", PitInterrupts);
        Line("rtc irq8:", RtcInterrupts);
        Line("keyboard irq1:", KeyboardInterrupts);
        Line("serial bytes out:", SerialBytesOut);
        Line("serial bytes in:", SerialBytesIn);
        Line("disk requests:", DiskRequests);
        Line("disk bytes read:", DiskBytesRead);
        Line("disk bytes written:", DiskBytesWritten);
        Line("disk flushes:", DiskFlushes);
        Line("disk discards:", DiskDiscards);
        Line("disk write-zeroes:", DiskWriteZeroes);
        Line("disk notifications:", DiskNotifications);
        Line("disk interrupts:", DiskInterrupts);
        Line("unclaimed port reads:", UnclaimedPortReads);
        Line("unclaimed port writes:", UnclaimedPortWrites);
        Line("unmapped memory reads:", UnmappedMemoryReads);
        Line("unmapped memory writes:", UnmappedMemoryWrites);
        foreach (KeyValuePair<string, long> t in TransitionsByKind)
        {
            Line("transitions " + t.Key + ":", t.Value);
        }

        Line("exceptions:", Exceptions);
        Line("blocks decoded:", BlocksDecoded);
        Line("blocks invalidated:", BlocksInvalidated);
        Line("cr3 writes:", Cr3Writes);
        Line("tlb hits:", TlbHits);
        Line("tlb misses:", TlbMisses);
        Line("page walks:", PageWalks);
        Line("page faults:", PageFaults);
        Line("tlb flushes full:", TlbFullFlushes);
        Line("tlb flushes pcid:", TlbPcidFlushes);
        Line("tlb flushes page:", TlbPageFlushes);
        Line("jit blocks compiled:", JitBlocksCompiled);
        Line("jit blocks optimized:", JitBlocksOptimized);
        Line("jit regions:", JitRegions);
        Line("jit chained entries:", JitChainedEntries);
        Line("jit compile median (us):", JitCompileMedianMicroseconds.ToString("F1", CultureInfo.InvariantCulture));
        Line("jit compile p99 (us):", JitCompileP99Microseconds.ToString("F1", CultureInfo.InvariantCulture));
        Line("jit compile total (ms):", JitCompileTotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture));
        Line("jit compile waited (ms):", JitCompileWaitMilliseconds.ToString("F1", CultureInfo.InvariantCulture));
        Line("jit instructions:", JitInstructions);
        // A share of instructions, counted exactly. (Host time in compiled code was an estimate from sampled
        // runs, without an error bound, and could read over 100 %: it is not printed.)
        Line("jit instruction share (%):", JitInstructionSharePercent.ToString("F2", CultureInfo.InvariantCulture));
        Line("interpreted instructions:", InterpretedInstructions);
        Line("jit invalidations:", JitInvalidations);
        Line("jit prefixes ended by:", JitPrefixEnds);
        Line("jit block exits:", JitExits);
        return sb.ToString();
    }

    private static string Join(IReadOnlyList<long> values)
    {
        var parts = new List<string>();
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i] != 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{i}={values[i]}"));
            }
        }

        return parts.Count == 0 ? "-" : string.Join(' ', parts);
    }
}
