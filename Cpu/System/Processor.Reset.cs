using Cpu.System;

namespace Cpu;

public sealed partial class Processor
{
    /// <summary>
    /// The RESET line: architectural state, MSRs and debug registers to their power-up values
    /// (<see cref="PowerOnState"/>), the TLB and every decoded or compiled block dropped, no halt, no pending
    /// triple fault. The retired-instruction count goes on (the virtual clock is the machine's, not the CPU's).
    /// </summary>
    public void Reset()
    {
        PowerOnState.Apply(State);
        SystemRegisters.ResetToPowerOn();
        GuestDebug.SetDebuggingExtensions(false);
        GuestDebug.Write(7, SystemRegisters.Debug[7]); // rearms nothing: DR7 is at its power-up value
        Memory.SetPkru(0);
        Memory.SetPkrs(0);
        ResetNmi();
        Memory.SetPagingControls(State.Cr0, State.Cr4, State.Efer);
        Memory.LoadCr3(0);
        Memory.Tlb.FlushAll();
        Blocks.Clear();
        Halted = false;
        tripleFault = false;
        tripleFaultMessage = null;
        shadowUntil = -1;
        cleanLast = null;
        exitBlock = true;
        SyncModeFromState();
    }
}
