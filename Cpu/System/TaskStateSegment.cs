using Cpu.Execution;
using Cpu.State;

namespace Cpu.System;

/// <summary>
/// Reads of the current task-state segment (the one TR names): the stack pointers of privilege levels
/// 0-2 and the interrupt-stack table (SDM 7.7 for the 64-bit TSS, 7.2.1 for the 32-bit one), and the
/// I/O permission bitmap (SDM 19.5.2). Task switching itself is not implemented.
/// </summary>
public static class TaskStateSegment
{
    /// <summary>Offset of the I/O map base address in a 32-bit or 64-bit TSS.</summary>
    public const int IoMapBaseOffset = 0x66;

    /// <summary>Offset of RSPn in a 64-bit TSS.</summary>
    public static int Rsp64Offset(int cpl) => 4 + (cpl * 8);

    /// <summary>Offset of IST<paramref name="index"/> (1-7) in a 64-bit TSS.</summary>
    public static int Ist64Offset(int index) => 0x24 + ((index - 1) * 8);

    /// <summary>Reads a 64-bit stack pointer from the TSS; beyond the TSS limit raises #TS(TR selector + EXT).</summary>
    public static ulong ReadStackPointer64(Processor cpu, int offset, uint ext)
    {
        ulong address = Locate(cpu, offset, 8, ext);
        return cpu.Memory.ReadSystem(address, 8);
    }

    /// <summary>Reads SSn:ESPn for a stack switch to <paramref name="cpl"/> from a 32-bit (or 16-bit) TSS.</summary>
    public static (ushort Selector, ulong Pointer) ReadStack32(Processor cpu, int cpl, uint ext)
    {
        int type = cpu.State.Tr.Attributes & 0xF;
        if (type is SystemDescriptorType.Tss16Available or SystemDescriptorType.Tss16Busy)
        {
            ulong sp = cpu.Memory.ReadSystem(Locate(cpu, 2 + (cpl * 4), 2, ext), 2);
            ushort ss16 = (ushort)cpu.Memory.ReadSystem(Locate(cpu, 4 + (cpl * 4), 2, ext), 2);
            return (ss16, sp);
        }

        ulong esp = cpu.Memory.ReadSystem(Locate(cpu, 4 + (cpl * 8), 4, ext), 4);
        ushort ss = (ushort)cpu.Memory.ReadSystem(Locate(cpu, 8 + (cpl * 8), 2, ext), 2);
        return (ss, esp);
    }

    /// <summary>
    /// True when the TSS I/O permission bitmap allows <paramref name="size"/> ports from
    /// <paramref name="port"/>: every bit is 0 and within the TSS limit (SDM 19.5.2).
    /// </summary>
    public static bool IoBitmapAllows(Processor cpu, ushort port, int size)
    {
        CpuState s = cpu.State;
        int type = s.Tr.Attributes & 0xF;
        if (DescriptorTables.IsNull(s.Tr.Selector) || !SegmentAttributes.IsPresent(s.Tr.Attributes)
            || (type != SystemDescriptorType.TssAvailable && type != SystemDescriptorType.TssBusy)
            || s.Tr.Limit < IoMapBaseOffset + 1)
        {
            return false;
        }

        ulong mapBase = cpu.Memory.ReadSystem(s.Tr.Base + IoMapBaseOffset, 2);
        ulong offset = mapBase + (ulong)(port >> 3);
        if (offset + 1 > s.Tr.Limit)
        {
            return false;
        }

        ulong bits = cpu.Memory.ReadSystem(s.Tr.Base + offset, 2);
        ulong mask = ((1UL << size) - 1) << (port & 7);
        return (bits & mask) == 0;
    }

    private static ulong Locate(Processor cpu, int offset, int size, uint ext)
    {
        CpuState s = cpu.State;
        if (DescriptorTables.IsNull(s.Tr.Selector) || !SegmentAttributes.IsPresent(s.Tr.Attributes)
            || (ulong)(offset + size - 1) > s.Tr.Limit)
        {
            throw new CpuException(ExceptionVector.InvalidTss, DescriptorTables.ErrorCode(s.Tr.Selector, ext));
        }

        return s.Tr.Base + (ulong)offset;
    }
}
