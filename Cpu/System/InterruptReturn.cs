using Cpu.Execution;
using Cpu.State;

namespace Cpu.System;

/// <summary>
/// IRET, IRETD and IRETQ (Intel SDM IRET pseudo-code, 6.14.3): return to the same or an outer privilege
/// level in real, protected, compatibility and 64-bit mode. Task returns (NT) and returns to virtual-8086
/// mode are not implemented: NT is ignored and a popped VM flag raises #GP(0).
/// </summary>
public static class InterruptReturn
{
    /// <summary>Executes IRET with <paramref name="size"/>-byte stack items (2, 4 or 8).</summary>
    public static void Execute(Processor cpu, int size)
    {
        // IRET ends NMI blocking even when it then faults (SDM Vol. 3A, 6.7.1; 26.2.1.1's "NMI unblocking due to IRET").
        cpu.UnblockNmi();
        CpuState s = cpu.State;
        bool sixtyFour = ProcessorMode.Is64Bit(s);
        ulong mask = SystemStack.PointerMask(s.Segments[SegmentIndex.Ss], sixtyFour);
        ulong sp = s.Gpr[4] & mask;
        ulong rip = SystemStack.Pop(cpu, ref sp, size, sixtyFour);
        ushort selector = (ushort)SystemStack.Pop(cpu, ref sp, size, sixtyFour);
        ulong flags = SystemStack.Pop(cpu, ref sp, size, sixtyFour);
        int cpl = s.Cpl;
        ulong oldFlags = s.Rflags;

        if (!ProcessorMode.IsProtected(s))
        {
            ref SegmentRegister realCs = ref s.Segments[SegmentIndex.Cs];
            realCs.Selector = selector;
            realCs.Base = (ulong)selector << 4;
            s.Gpr[4] = SystemStack.MergePointer(s.Gpr[4], sp, mask);
            s.Rip = rip & 0xFFFF_FFFF;
            SetFlags(cpu, MergeFlags(oldFlags, flags, size, cpl: 0));
            return;
        }

        if (size != 2 && (flags & SystemFlags.Virtual8086) != 0 && cpl == 0 && !ProcessorMode.IsLongModeActive(s))
        {
            throw CpuException.GeneralProtection(0);
        }

        SegmentDescriptor d = SegmentLoading.CheckReturnCodeTarget(cpu, selector);
        int rpl = selector & 3;
        bool target64 = ProcessorMode.IsLongModeActive(s) && d.LongMode;
        if (!target64)
        {
            rip &= 0xFFFF_FFFF;
        }

        FarTransfers.CheckTargetOffset(s, d, rip);

        // 64-bit mode always pops SS:RSP; other modes only on a return to an outer level.
        bool popStack = sixtyFour || rpl > cpl;
        SegmentRegister ss = s.Segments[SegmentIndex.Ss];
        ulong newSp = sp;
        ushort ssSelector = 0;
        if (popStack)
        {
            newSp = SystemStack.Pop(cpu, ref sp, size, sixtyFour);
            ssSelector = (ushort)SystemStack.Pop(cpu, ref sp, size, sixtyFour);
            ss = SegmentLoading.CheckStack(cpu, ssSelector, rpl, ExceptionVector.GeneralProtection, ExceptionVector.StackFault, 0, target64);
        }

        ulong newFlags = MergeFlags(oldFlags, flags, size, cpl);
        if (popStack && !DescriptorTables.IsNull(ssSelector))
        {
            DescriptorTables.MarkAccessed(cpu, ssSelector, DescriptorTables.Read(cpu, ssSelector));
        }

        SegmentLoading.SetCodeSegment(cpu, selector, d, rpl);
        if (popStack)
        {
            s.Segments[SegmentIndex.Ss] = ss;
            ulong newMask = SystemStack.PointerMask(ss, target64);
            s.Gpr[4] = SystemStack.MergePointer(s.Gpr[4], newSp, newMask);
        }
        else
        {
            s.Gpr[4] = SystemStack.MergePointer(s.Gpr[4], sp, mask);
        }

        s.Rip = rip;
        SetFlags(cpu, newFlags);
        if (rpl > cpl)
        {
            SegmentLoading.NullInaccessibleDataSegments(s);
            cpu.Counters.RecordTransition(TransitionKind.IretToUser);
        }
    }

    /// <summary>
    /// The RFLAGS IRET leaves (SDM IRET): IOPL changes only at CPL 0, IF only when CPL &lt;= IOPL, VM/VIF/VIP
    /// only at CPL 0; a 16-bit IRET keeps the upper half.
    /// </summary>
    public static ulong MergeFlags(ulong oldFlags, ulong popped, int size, int cpl)
    {
        int iopl = (int)(oldFlags >> 12) & 3;
        ulong changeable = SystemFlags.Status | SystemFlags.Trap | SystemFlags.Direction | SystemFlags.NestedTask | SystemFlags.Resume
            | SystemFlags.AlignmentCheck | SystemFlags.Identification;
        if (cpl <= iopl)
        {
            changeable |= SystemFlags.Interrupt;
        }

        if (cpl == 0)
        {
            changeable |= SystemFlags.Iopl | SystemFlags.VirtualInterrupt | SystemFlags.VirtualInterruptPending;
        }

        if (size == 2)
        {
            changeable &= 0xFFFF;
        }

        return (oldFlags & ~changeable) | (popped & changeable) | SystemFlags.Reserved1;
    }

    /// <summary>Writes RFLAGS and keeps the MMU's RFLAGS.AC copy in step.</summary>
    public static void SetFlags(Processor cpu, ulong rflags)
    {
        cpu.State.Rflags = rflags;
        cpu.Memory.AlignmentCheck = (rflags & SystemFlags.AlignmentCheck) != 0;
    }
}
