using Cpu.Execution;
using Cpu.State;
using Mmu.Paging;

namespace Cpu.System;

/// <summary>
/// Delivers exceptions and interrupts through the IDT (Intel SDM 6.12 for protected mode, 6.14 for
/// IA-32e mode, real-mode IVT otherwise), with the double-fault rules of SDM 6.15 (table 6-5): a fault
/// while delivering a contributory exception or a page fault becomes #DF, a fault while delivering #DF
/// is a triple fault. Delivery changes no register until every check and every stack write succeeded.
/// </summary>
public static class InterruptDelivery
{
    private enum ExceptionClass
    {
        Benign,
        Contributory,
        PageFault,
        DoubleFault,
    }

    /// <summary>
    /// Delivers <paramref name="vector"/>. For faults RIP points at the faulting instruction, for traps
    /// and software interrupts past it. <paramref name="software"/> marks INT n/INT3/INTO (their gate's
    /// DPL is checked and EXT is clear). Non-software vectors from 32 up are external interrupts;
    /// an <paramref name="errorCode"/> is pushed when given. Faults during delivery are turned into the
    /// exception SDM table 6-5 asks for; a fault while delivering #DF stops the machine (triple fault).
    /// </summary>
    public static void Deliver(Processor cpu, int vector, uint? errorCode, bool software)
    {
        // The run loop counts the first event; exceptions raised by the delivery itself are counted here.
        while (true)
        {
            int nextVector;
            uint? nextError;
            try
            {
                DeliverOnce(cpu, vector, errorCode, software);
                return;
            }
            catch (CpuException e)
            {
                nextVector = e.Vector;
                nextError = e.ErrorCode;
            }
            catch (PageFaultException e)
            {
                cpu.State.Cr2 = e.LinearAddress;
                nextVector = ExceptionVector.PageFault;
                nextError = e.ErrorCode;
            }

            if (vector == ExceptionVector.DoubleFault)
            {
                cpu.SignalTripleFault($"triple fault: exception {nextVector} (error code {nextError?.ToString("X") ?? "none"}) while delivering a double fault, RIP 0x{cpu.State.Rip:X}");
                return;
            }

            ExceptionClass first = Classify(vector, software);
            ExceptionClass second = Classify(nextVector, false);
            if ((first == ExceptionClass.Contributory && second == ExceptionClass.Contributory)
                || (first == ExceptionClass.PageFault && second != ExceptionClass.Benign))
            {
                vector = ExceptionVector.DoubleFault;
                errorCode = 0;
            }
            else
            {
                vector = nextVector;
                errorCode = nextError;
            }

            software = false;
            Record(cpu, vector, false);
        }
    }

    /// <summary>
    /// One delivery attempt without the double-fault rules: INT n, INT3 and INTO call this so that a fault
    /// of the delivery surfaces as an exception of the instruction (with RIP rewound to it).
    /// </summary>
    public static void DeliverOnce(Processor cpu, int vector, uint? errorCode, bool software)
    {
        CpuState s = cpu.State;
        uint ext = software ? 0u : 1u;
        if (!ProcessorMode.IsProtected(s))
        {
            DeliverReal(cpu, vector);
        }
        else if (ProcessorMode.IsLongModeActive(s))
        {
            DeliverLong(cpu, vector, errorCode, software, ext);
        }
        else
        {
            DeliverProtected(cpu, vector, errorCode, software, ext);
        }

        cpu.EventsDelivered++;
    }

    private static void DeliverLong(Processor cpu, int vector, uint? errorCode, bool software, uint ext)
    {
        CpuState s = cpu.State;
        int cpl = s.Cpl;
        uint idtError = ((uint)vector << 3) | 2 | ext;
        if (((ulong)vector << 4) + 15 > s.IdtrLimit)
        {
            throw new CpuException(ExceptionVector.GeneralProtection, idtError);
        }

        ulong entry = s.IdtrBase + ((ulong)vector << 4);
        var gate = new SegmentDescriptor(cpu.Memory.ReadSystem(entry, 8), cpu.Memory.ReadSystem(entry + 8, 8));
        if (gate.IsCodeOrData || (gate.Type != SystemDescriptorType.InterruptGate && gate.Type != SystemDescriptorType.TrapGate))
        {
            throw new CpuException(ExceptionVector.GeneralProtection, idtError);
        }

        if (software && gate.Dpl < cpl)
        {
            throw new CpuException(ExceptionVector.GeneralProtection, idtError);
        }

        if (!gate.Present)
        {
            throw new CpuException(ExceptionVector.SegmentNotPresent, idtError);
        }

        ushort selector = gate.GateSelector;
        SegmentDescriptor code = CheckHandlerCode(cpu, selector, ext, cpl);
        uint codeError = DescriptorTables.ErrorCode(selector, ext);
        if (!code.LongMode || code.Big)
        {
            throw new CpuException(ExceptionVector.GeneralProtection, codeError);
        }

        int newCpl = code.Conforming ? cpl : code.Dpl;
        ulong target = gate.GateOffset64;
        if (!ProcessorMode.IsCanonical(target))
        {
            throw new CpuException(ExceptionVector.GeneralProtection, ext);
        }

        ulong rsp = s.Gpr[4];
        if (gate.Ist != 0)
        {
            rsp = TaskStateSegment.ReadStackPointer64(cpu, TaskStateSegment.Ist64Offset(gate.Ist), ext);
        }
        else if (newCpl < cpl)
        {
            rsp = TaskStateSegment.ReadStackPointer64(cpu, TaskStateSegment.Rsp64Offset(newCpl), ext);
        }

        if (!ProcessorMode.IsCanonical(rsp))
        {
            throw new CpuException(ExceptionVector.StackFault, ext);
        }

        // IA-32e delivery aligns the new stack to 16 bytes and always pushes SS:RSP (SDM 6.14.2).
        ulong rflags = s.Rflags;
        var frame = new FramePusher(cpu, s.Segments[SegmentIndex.Ss], rsp & ~0xFUL, sixtyFourBit: true, newCpl);
        frame.Push(8, s.Segments[SegmentIndex.Ss].Selector);
        frame.Push(8, s.Gpr[4]);
        frame.Push(8, rflags);
        frame.Push(8, s.Segments[SegmentIndex.Cs].Selector);
        frame.Push(8, s.Rip);
        if (errorCode is { } error)
        {
            frame.Push(8, error);
        }

        SegmentLoading.SetCodeSegment(cpu, selector, code, newCpl);
        if (newCpl != cpl)
        {
            s.Segments[SegmentIndex.Ss] = SegmentLoading.NullStack((ushort)newCpl);
        }

        s.Gpr[4] = frame.Pointer;
        s.Rip = target;
        EnterHandler(cpu, rflags, gate.Type == SystemDescriptorType.InterruptGate || gate.Type == SystemDescriptorType.InterruptGate16);
        CountTransition(cpu, vector, software, cpl, newCpl);
    }

    private static void DeliverProtected(Processor cpu, int vector, uint? errorCode, bool software, uint ext)
    {
        CpuState s = cpu.State;
        int cpl = s.Cpl;
        uint idtError = ((uint)vector << 3) | 2 | ext;
        if (((ulong)vector << 3) + 7 > s.IdtrLimit)
        {
            throw new CpuException(ExceptionVector.GeneralProtection, idtError);
        }

        var gate = new SegmentDescriptor(cpu.Memory.ReadSystem(s.IdtrBase + ((ulong)vector << 3), 8));
        int type = gate.Type;
        bool interruptGate = type is SystemDescriptorType.InterruptGate or SystemDescriptorType.InterruptGate16;
        bool trapGate = type is SystemDescriptorType.TrapGate or SystemDescriptorType.TrapGate16;

        // Task gates (task switching) are not implemented; they fault like a bad gate type.
        if (gate.IsCodeOrData || !(interruptGate || trapGate))
        {
            throw new CpuException(ExceptionVector.GeneralProtection, idtError);
        }

        if (software && gate.Dpl < cpl)
        {
            throw new CpuException(ExceptionVector.GeneralProtection, idtError);
        }

        if (!gate.Present)
        {
            throw new CpuException(ExceptionVector.SegmentNotPresent, idtError);
        }

        int size = (type & 8) != 0 ? 4 : 2;
        ushort selector = gate.GateSelector;
        SegmentDescriptor code = CheckHandlerCode(cpu, selector, ext, cpl);
        ulong target = size == 4 ? gate.GateOffset32 : gate.GateOffset32 & 0xFFFF;
        if (target > code.Limit)
        {
            throw new CpuException(ExceptionVector.GeneralProtection, ext);
        }

        ulong rflags = s.Rflags;
        SegmentRegister oldSs = s.Segments[SegmentIndex.Ss];
        int newCpl = cpl;
        SegmentRegister newSs = oldSs;
        ulong newSp = s.Gpr[4];
        if (!code.Conforming && code.Dpl < cpl)
        {
            newCpl = code.Dpl;
            (ushort ssSelector, ulong sp) = TaskStateSegment.ReadStack32(cpu, newCpl, ext);
            newSs = SegmentLoading.CheckStack(cpu, ssSelector, newCpl, ExceptionVector.InvalidTss, ExceptionVector.StackFault, ext, sixtyFourBit: false);
            newSp = sp;
        }

        var frame = new FramePusher(cpu, newSs, newSp, sixtyFourBit: false, newCpl);
        if (newCpl != cpl)
        {
            frame.Push(size, oldSs.Selector);
            frame.Push(size, s.Gpr[4]);
        }

        frame.Push(size, rflags);
        frame.Push(size, s.Segments[SegmentIndex.Cs].Selector);
        frame.Push(size, s.Rip);
        if (errorCode is { } error)
        {
            frame.Push(size, error);
        }

        if (newCpl != cpl)
        {
            DescriptorTables.MarkAccessed(cpu, newSs.Selector, DescriptorTables.Read(cpu, newSs.Selector, ext, ExceptionVector.InvalidTss));
        }

        SegmentLoading.SetCodeSegment(cpu, selector, code, newCpl);
        if (newCpl != cpl)
        {
            s.Segments[SegmentIndex.Ss] = newSs;
        }

        s.Gpr[4] = SystemStack.MergePointer(s.Gpr[4], frame.Pointer, frame.Mask);
        s.Rip = target;
        EnterHandler(cpu, rflags, interruptGate);
        CountTransition(cpu, vector, software, cpl, newCpl);
    }

    /// <summary>Real mode: the 4-byte IVT entry, FLAGS/CS/IP pushed on the 16-bit stack.</summary>
    private static void DeliverReal(Processor cpu, int vector)
    {
        CpuState s = cpu.State;
        if (((ulong)vector << 2) + 3 > s.IdtrLimit)
        {
            throw new CpuException(ExceptionVector.GeneralProtection, 0);
        }

        uint entry = (uint)cpu.Memory.ReadSystem(s.IdtrBase + ((ulong)vector << 2), 4);
        ulong rflags = s.Rflags;
        var frame = new FramePusher(cpu, s.Segments[SegmentIndex.Ss], s.Gpr[4], sixtyFourBit: false, cpl: 0);
        frame.Push(2, rflags);
        frame.Push(2, s.Segments[SegmentIndex.Cs].Selector);
        frame.Push(2, s.Rip);
        ref SegmentRegister cs = ref s.Segments[SegmentIndex.Cs];
        cs.Selector = (ushort)(entry >> 16);
        cs.Base = (ulong)cs.Selector << 4;
        s.Gpr[4] = SystemStack.MergePointer(s.Gpr[4], frame.Pointer, frame.Mask);
        s.Rip = entry & 0xFFFF;
        s.Rflags = rflags & ~(SystemFlags.Trap | SystemFlags.Interrupt | SystemFlags.AlignmentCheck);
        cpu.Memory.AlignmentCheck = false;
    }

    /// <summary>The checks of the handler's code segment named by a gate (SDM 6.12.1.1 and 6.14).</summary>
    private static SegmentDescriptor CheckHandlerCode(Processor cpu, ushort selector, uint ext, int cpl)
    {
        if (DescriptorTables.IsNull(selector))
        {
            throw new CpuException(ExceptionVector.GeneralProtection, ext);
        }

        SegmentDescriptor code = DescriptorTables.Read(cpu, selector, ext);
        uint codeError = DescriptorTables.ErrorCode(selector, ext);
        if (!code.IsCode || code.Dpl > cpl)
        {
            throw new CpuException(ExceptionVector.GeneralProtection, codeError);
        }

        if (!code.Present)
        {
            throw new CpuException(ExceptionVector.SegmentNotPresent, codeError);
        }

        return code;
    }

    /// <summary>The RFLAGS of a handler: TF, NT, RF and VM clear, IF clear for interrupt gates.</summary>
    private static void EnterHandler(Processor cpu, ulong rflags, bool interruptGate)
    {
        rflags &= ~(SystemFlags.Trap | SystemFlags.NestedTask | SystemFlags.Resume | SystemFlags.Virtual8086);
        if (interruptGate)
        {
            rflags &= ~SystemFlags.Interrupt;
        }

        cpu.State.Rflags = rflags;
        cpu.Memory.AlignmentCheck = (rflags & SystemFlags.AlignmentCheck) != 0;
    }

    private static void CountTransition(Processor cpu, int vector, bool software, int oldCpl, int newCpl)
    {
        if (oldCpl != 3 || newCpl == 3)
        {
            return;
        }

        TransitionKind kind = software ? TransitionKind.SoftwareInterruptFromUser
            : IsExternal(vector, software) ? TransitionKind.InterruptFromUser
            : TransitionKind.ExceptionFromUser;
        cpu.Counters.RecordTransition(kind);
    }

    private static void Record(Processor cpu, int vector, bool software)
    {
        if (software)
        {
            return;
        }

        if (IsExternal(vector, software))
        {
            cpu.Counters.RecordInterrupt(vector);
        }
        else
        {
            cpu.Counters.RecordException(vector);
        }
    }

    private static bool IsExternal(int vector, bool software) => !software && vector >= 32;

    private static ExceptionClass Classify(int vector, bool software)
    {
        if (software || vector >= 32)
        {
            return ExceptionClass.Benign;
        }

        return vector switch
        {
            ExceptionVector.DivideError or ExceptionVector.InvalidTss or ExceptionVector.SegmentNotPresent
                or ExceptionVector.StackFault or ExceptionVector.GeneralProtection => ExceptionClass.Contributory,
            ExceptionVector.PageFault => ExceptionClass.PageFault,
            ExceptionVector.DoubleFault => ExceptionClass.DoubleFault,
            _ => ExceptionClass.Benign,
        };
    }
}
