using Cpu.Execution;
using Cpu.State;

namespace Cpu.System;

/// <summary>
/// Loads segment registers with the checks of the current mode (Intel SDM 5.5-5.8 and the MOV, POP,
/// far JMP/CALL/RET and IRET pseudo-code): null selectors, type, privilege, presence, the accessed bit.
/// Every check runs before any register changes.
/// </summary>
public static class SegmentLoading
{
    /// <summary>
    /// MOV Sreg / POP Sreg (and LDS family): loads DS, ES, FS, GS or SS. CS cannot be loaded this way (#UD
    /// is the decoder's business).
    /// </summary>
    public static void Load(Processor cpu, int segment, ushort selector)
    {
        CpuState s = cpu.State;
        if (!ProcessorMode.IsProtected(s))
        {
            ref SegmentRegister real = ref s.Segments[segment];
            real.Selector = selector;
            real.Base = (ulong)selector << 4;
            return;
        }

        if (segment == SegmentIndex.Ss)
        {
            LoadStack(cpu, selector, s.Cpl, ExceptionVector.GeneralProtection, ExceptionVector.StackFault);
            return;
        }

        if (DescriptorTables.IsNull(selector))
        {
            s.Segments[segment] = NullSegment(selector);
            return;
        }

        SegmentDescriptor d = DescriptorTables.Read(cpu, selector);
        uint error = DescriptorTables.ErrorCode(selector, 0);
        if (!d.IsCodeOrData || !d.Readable)
        {
            throw new CpuException(ExceptionVector.GeneralProtection, error);
        }

        if (!d.Conforming && ((selector & 3) > d.Dpl || s.Cpl > d.Dpl))
        {
            throw new CpuException(ExceptionVector.GeneralProtection, error);
        }

        if (!d.Present)
        {
            throw new CpuException(ExceptionVector.SegmentNotPresent, error);
        }

        DescriptorTables.MarkAccessed(cpu, selector, d);
        s.Segments[segment] = d.ToSegment(selector);
    }

    /// <summary>
    /// Loads SS for a new privilege level <paramref name="cpl"/>: RPL and DPL must equal it and the segment
    /// must be writable data. A null selector is allowed in 64-bit mode below CPL 3 (SDM 5.8.3 / MOV).
    /// <paramref name="checkVector"/> is #GP for MOV/POP/RET/IRET and #TS for a stack switch from the TSS.
    /// </summary>
    public static void LoadStack(Processor cpu, ushort selector, int cpl, int checkVector, int notPresentVector, uint ext = 0, bool targetIs64Bit = false)
    {
        SegmentRegister ss = CheckStack(cpu, selector, cpl, checkVector, notPresentVector, ext, targetIs64Bit || ProcessorMode.Is64Bit(cpu.State));
        if (!DescriptorTables.IsNull(selector))
        {
            DescriptorTables.MarkAccessed(cpu, selector, DescriptorTables.Read(cpu, selector, ext, checkVector));
        }

        cpu.State.Segments[SegmentIndex.Ss] = ss;
    }

    /// <summary>The checks of <see cref="LoadStack"/> without loading: returns the segment to load.</summary>
    public static SegmentRegister CheckStack(Processor cpu, ushort selector, int cpl, int checkVector, int notPresentVector, uint ext, bool sixtyFourBit)
    {
        if (DescriptorTables.IsNull(selector))
        {
            if (sixtyFourBit && cpl != 3 && (selector & 3) == cpl)
            {
                return NullStack(selector);
            }

            throw new CpuException(checkVector, ext & 1);
        }

        SegmentDescriptor d = DescriptorTables.Read(cpu, selector, ext, checkVector);
        uint error = DescriptorTables.ErrorCode(selector, ext);
        if ((selector & 3) != cpl || !d.Writable || d.Dpl != cpl)
        {
            throw new CpuException(checkVector, error);
        }

        if (!d.Present)
        {
            throw new CpuException(notPresentVector, error);
        }

        return d.ToSegment(selector);
    }

    /// <summary>
    /// Checks a code-segment selector as the target of a far JMP/CALL (Intel SDM 5.8.1): returns the
    /// descriptor, or throws. The new CPL stays the current one.
    /// </summary>
    public static SegmentDescriptor CheckDirectCodeTarget(Processor cpu, ushort selector)
    {
        CpuState s = cpu.State;
        if (DescriptorTables.IsNull(selector))
        {
            throw new CpuException(ExceptionVector.GeneralProtection, 0);
        }

        SegmentDescriptor d = DescriptorTables.Read(cpu, selector);
        uint error = DescriptorTables.ErrorCode(selector, 0);
        if (!d.IsCode)
        {
            // Call gates, task gates and TSS descriptors are not supported as far-transfer targets.
            throw new CpuException(ExceptionVector.GeneralProtection, error);
        }

        if (d.Conforming ? d.Dpl > s.Cpl : ((selector & 3) > s.Cpl || d.Dpl != s.Cpl))
        {
            throw new CpuException(ExceptionVector.GeneralProtection, error);
        }

        CheckLongModeCode(s, d, error);
        if (!d.Present)
        {
            throw new CpuException(ExceptionVector.SegmentNotPresent, error);
        }

        return d;
    }

    /// <summary>
    /// Checks a code-segment selector popped by far RET or IRET (SDM RET/IRET pseudo-code): the return
    /// may go to the same or an outer privilege level (RPL), never inward.
    /// </summary>
    public static SegmentDescriptor CheckReturnCodeTarget(Processor cpu, ushort selector)
    {
        CpuState s = cpu.State;
        if (DescriptorTables.IsNull(selector))
        {
            throw new CpuException(ExceptionVector.GeneralProtection, 0);
        }

        SegmentDescriptor d = DescriptorTables.Read(cpu, selector);
        uint error = DescriptorTables.ErrorCode(selector, 0);
        int rpl = selector & 3;
        if (!d.IsCode || rpl < s.Cpl || (d.Conforming ? d.Dpl > rpl : d.Dpl != rpl))
        {
            throw new CpuException(ExceptionVector.GeneralProtection, error);
        }

        CheckLongModeCode(s, d, error);
        if (!d.Present)
        {
            throw new CpuException(ExceptionVector.SegmentNotPresent, error);
        }

        return d;
    }

    /// <summary>In IA-32e mode a code segment with both L and D set is reserved (#GP).</summary>
    private static void CheckLongModeCode(CpuState s, SegmentDescriptor d, uint error)
    {
        if (ProcessorMode.IsLongModeActive(s) && d.LongMode && d.Big)
        {
            throw new CpuException(ExceptionVector.GeneralProtection, error);
        }
    }

    /// <summary>
    /// Loads CS (and so the CPL), keeping <see cref="Mmu.LinearMemory.UserMode"/> and the performance
    /// counters in step with the privilege level.
    /// </summary>
    public static void SetCodeSegment(Processor cpu, SegmentRegister cs)
    {
        CpuState s = cpu.State;
        int oldCpl = s.Cpl;
        int newCpl = cs.Selector & 3;
        if (oldCpl != newCpl)
        {
            cpu.SystemRegisters.Msr.SyncCounters(cpu);
        }

        s.Segments[SegmentIndex.Cs] = cs;
        cpu.Memory.UserMode = newCpl == 3;
    }

    /// <summary>Loads CS from a checked descriptor with RPL = <paramref name="cpl"/> and sets its accessed bit.</summary>
    public static void SetCodeSegment(Processor cpu, ushort selector, SegmentDescriptor d, int cpl)
    {
        DescriptorTables.MarkAccessed(cpu, selector, d);
        SetCodeSegment(cpu, d.ToSegment((ushort)((selector & 0xFFFC) | cpl)));
    }

    /// <summary>
    /// After a return to an outer level, data segment registers the new CPL may not use are nulled
    /// (SDM RET/IRET: DPL &lt; CPL and not conforming code).
    /// </summary>
    public static void NullInaccessibleDataSegments(CpuState s)
    {
        int cpl = s.Cpl;
        foreach (int i in (ReadOnlySpan<int>)[SegmentIndex.Es, SegmentIndex.Ds, SegmentIndex.Fs, SegmentIndex.Gs])
        {
            ref SegmentRegister seg = ref s.Segments[i];
            if (DescriptorTables.IsNull(seg.Selector))
            {
                continue;
            }

            bool conformingCode = (seg.Attributes & 0xC) == 0xC && (seg.Attributes & SegmentAttributes.CodeOrData) != 0;
            if (!conformingCode && SegmentAttributes.Dpl(seg.Attributes) < cpl)
            {
                seg = NullSegment(0);
            }
        }
    }

    /// <summary>A segment register holding a null selector: unusable (not present).</summary>
    public static SegmentRegister NullSegment(ushort selector) => new()
    {
        Selector = selector,
        Base = 0,
        Limit = 0,
        Attributes = 0,
    };

    /// <summary>SS holding a null selector in 64-bit mode: unusable but with DPL = RPL (the CPL).</summary>
    public static SegmentRegister NullStack(ushort selector) => new()
    {
        Selector = selector,
        Base = 0,
        Limit = 0xFFFF_FFFF,
        Attributes = (ushort)(0x3 | SegmentAttributes.CodeOrData | ((selector & 3) << SegmentAttributes.DplShift) | SegmentAttributes.Big | SegmentAttributes.Granularity),
    };
}
