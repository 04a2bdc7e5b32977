using Cpu.Execution;
using Cpu.State;

namespace Cpu.System;

/// <summary>
/// Far JMP, far CALL and far RET through code-segment descriptors (Intel SDM 5.8.1-5.8.6 and the
/// JMP/CALL/RET pseudo-code). Call gates and task switches are not implemented (#GP on their selectors).
/// A far JMP to a 64-bit code segment is how a kernel enters 64-bit mode after enabling paging.
/// </summary>
public static class FarTransfers
{
    /// <summary>Far JMP to <paramref name="selector"/>:<paramref name="offset"/>.</summary>
    public static void Jump(Processor cpu, ushort selector, ulong offset)
    {
        CpuState s = cpu.State;
        if (!ProcessorMode.IsProtected(s))
        {
            LoadRealCs(s, selector);
            s.Rip = offset & 0xFFFF_FFFF;
            return;
        }

        SegmentDescriptor d = SegmentLoading.CheckDirectCodeTarget(cpu, selector);
        CheckTargetOffset(s, d, offset);
        SegmentLoading.SetCodeSegment(cpu, selector, d, s.Cpl);
        s.Rip = offset;
    }

    /// <summary>Far CALL: pushes CS and the return RIP (RIP already points past the CALL), each <paramref name="size"/> bytes.</summary>
    public static void Call(Processor cpu, ushort selector, ulong offset, int size)
    {
        CpuState s = cpu.State;
        bool sixtyFour = ProcessorMode.Is64Bit(s);
        SegmentDescriptor d = default;
        if (ProcessorMode.IsProtected(s))
        {
            d = SegmentLoading.CheckDirectCodeTarget(cpu, selector);
            CheckTargetOffset(s, d, offset);
        }

        var frame = new FramePusher(cpu, s.Segments[SegmentIndex.Ss], s.Gpr[4], sixtyFour, s.Cpl);
        frame.Push(size, s.Segments[SegmentIndex.Cs].Selector);
        frame.Push(size, s.Rip);
        if (ProcessorMode.IsProtected(s))
        {
            SegmentLoading.SetCodeSegment(cpu, selector, d, s.Cpl);
        }
        else
        {
            LoadRealCs(s, selector);
        }

        s.Gpr[4] = SystemStack.MergePointer(s.Gpr[4], frame.Pointer, frame.Mask);
        s.Rip = offset;
    }

    /// <summary>Far RET of <paramref name="size"/>-byte items, releasing <paramref name="release"/> bytes of parameters.</summary>
    public static void Return(Processor cpu, int size, ushort release)
    {
        CpuState s = cpu.State;
        bool sixtyFour = ProcessorMode.Is64Bit(s);
        ulong mask = SystemStack.PointerMask(s.Segments[SegmentIndex.Ss], sixtyFour);
        ulong sp = s.Gpr[4] & mask;
        ulong offset = SystemStack.Pop(cpu, ref sp, size, sixtyFour);
        ushort selector = (ushort)SystemStack.Pop(cpu, ref sp, size, sixtyFour);
        sp = (sp + release) & mask;
        if (!ProcessorMode.IsProtected(s))
        {
            LoadRealCs(s, selector);
            s.Gpr[4] = SystemStack.MergePointer(s.Gpr[4], sp, mask);
            s.Rip = offset & 0xFFFF_FFFF;
            return;
        }

        SegmentDescriptor d = SegmentLoading.CheckReturnCodeTarget(cpu, selector);
        CheckTargetOffset(s, d, offset);
        int cpl = s.Cpl;
        int rpl = selector & 3;
        if (rpl == cpl)
        {
            SegmentLoading.SetCodeSegment(cpu, selector, d, cpl);
            s.Gpr[4] = SystemStack.MergePointer(s.Gpr[4], sp, mask);
            s.Rip = offset;
            return;
        }

        // Return to an outer privilege level: the caller's SS:RSP follow on the stack (SDM 5.8.6).
        ulong newSp = SystemStack.Pop(cpu, ref sp, size, sixtyFour);
        ushort ssSelector = (ushort)SystemStack.Pop(cpu, ref sp, size, sixtyFour);
        bool target64 = ProcessorMode.IsLongModeActive(s) && d.LongMode;
        SegmentRegister ss = SegmentLoading.CheckStack(cpu, ssSelector, rpl, ExceptionVector.GeneralProtection, ExceptionVector.StackFault, 0, target64);
        if (!DescriptorTables.IsNull(ssSelector))
        {
            DescriptorTables.MarkAccessed(cpu, ssSelector, DescriptorTables.Read(cpu, ssSelector));
        }

        SegmentLoading.SetCodeSegment(cpu, selector, d, rpl);
        s.Segments[SegmentIndex.Ss] = ss;
        ulong newMask = SystemStack.PointerMask(ss, target64);
        s.Gpr[4] = SystemStack.MergePointer(s.Gpr[4], newSp + release, newMask);
        s.Rip = offset;
        SegmentLoading.NullInaccessibleDataSegments(s);
        cpu.Counters.RecordTransition(TransitionKind.FarTransfer);
    }

    /// <summary>
    /// The new RIP must be canonical for a 64-bit target and within the segment limit otherwise
    /// (#GP(0), SDM JMP/CALL/RET/IRET).
    /// </summary>
    public static void CheckTargetOffset(CpuState s, SegmentDescriptor d, ulong offset)
    {
        bool valid = ProcessorMode.IsLongModeActive(s) && d.LongMode ? ProcessorMode.IsCanonical(offset) : offset <= d.Limit;
        if (!valid)
        {
            throw CpuException.GeneralProtection(0);
        }
    }

    private static void LoadRealCs(CpuState s, ushort selector)
    {
        ref SegmentRegister cs = ref s.Segments[SegmentIndex.Cs];
        cs.Selector = selector;
        cs.Base = (ulong)selector << 4;
    }
}
