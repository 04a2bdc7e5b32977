using Cpu.Decode;
using Cpu.State;

namespace Cpu;

/// <summary>
/// What the dispatcher checks between blocks, asked by the JIT when a compiled block ended with a system
/// instruction (SYSCALL, SYSRET, IRET, a CR3 or MSR write...) and could go straight on into the next one.
/// </summary>
public sealed partial class Processor
{
    /// <summary>A stop was requested (read by the JIT's exit accounting).</summary>
    internal bool StopRequested => stopRequested;

    /// <summary>
    /// True when <see cref="Run"/> would go straight into <see cref="RunBlock"/> at this boundary: no triple
    /// fault, stop, NMI, deliverable interrupt or interrupt shadow, not halted, nothing debug-armed, and the
    /// mode (brought up to date here, as the dispatcher does) still that of <paramref name="from"/>, 64-bit
    /// (no CS limit to check). The block-exit request the instruction made is then withdrawn, so the next
    /// compiled block does not leave at once. Otherwise the dispatcher takes the boundary as for the interpreter,
    /// so where interrupts are delivered does not depend on the tier.
    /// </summary>
    internal bool MayChainAfterBlockEnd(DecodedBlock from)
    {
        CpuState s = State;
        if (tripleFault || stopRequested || Halted || (nmiPending && !nmiBlocked) || retired < shadowUntil ||
            ((s.FlagBits & (Rflag.TF | Rflag.RF)) | debugArmed) != 0 ||
            ((s.FlagBits & Rflag.IF) != 0 && InterruptController is { HasPendingInterrupt: true }))
        {
            return false;
        }

        SyncModeFromState();
        if (Bitness != 64 || from.Bitness != 64)
        {
            return false;
        }

        exitBlock = false;
        return true;
    }
}
