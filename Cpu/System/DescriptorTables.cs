using Cpu.Execution;
using Cpu.State;

namespace Cpu.System;

/// <summary>
/// Reads descriptors from the GDT and LDT (Intel SDM 3.5.1) with implicit supervisor accesses, and
/// sets their accessed and busy bits.
/// </summary>
public static class DescriptorTables
{
    /// <summary>Selector bit 2: the selector indexes the LDT.</summary>
    public const ushort TableIndicator = 4;

    public static bool IsNull(ushort selector) => (selector & 0xFFFC) == 0;

    /// <summary>
    /// The linear address of the descriptor <paramref name="selector"/> names, or null when it lies beyond
    /// the table limit (or names the LDT while none is loaded). <paramref name="size"/> is 8 or 16.
    /// </summary>
    public static ulong? Address(CpuState s, ushort selector, int size = 8)
    {
        ulong tableBase;
        uint limit;
        if ((selector & TableIndicator) != 0)
        {
            if (IsNull(s.Ldtr.Selector) || !SegmentAttributes.IsPresent(s.Ldtr.Attributes))
            {
                return null;
            }

            tableBase = s.Ldtr.Base;
            limit = s.Ldtr.Limit;
        }
        else
        {
            tableBase = s.GdtrBase;
            limit = s.GdtrLimit;
        }

        uint offset = (uint)(selector & 0xFFF8);
        if ((ulong)offset + (ulong)size - 1 > limit)
        {
            return null;
        }

        return tableBase + offset;
    }

    /// <summary>
    /// Reads the 8-byte descriptor of <paramref name="selector"/>; beyond the limit raises
    /// <paramref name="vector"/> (#GP unless told) with the selector's error code.
    /// </summary>
    public static SegmentDescriptor Read(Processor cpu, ushort selector, uint ext = 0, int vector = ExceptionVector.GeneralProtection)
    {
        ulong address = Address(cpu.State, selector) ?? throw new CpuException(vector, ErrorCode(selector, ext));
        return new SegmentDescriptor(cpu.Memory.ReadSystem(address, 8));
    }

    /// <summary>
    /// Reads a system descriptor (LDT or TSS) from the GDT: 16 bytes in IA-32e mode, 8 otherwise.
    /// </summary>
    public static SegmentDescriptor ReadSystem(Processor cpu, ushort selector, uint ext = 0)
    {
        bool wide = ProcessorMode.IsLongModeActive(cpu.State);
        ulong address = Address(cpu.State, selector, wide ? 16 : 8) ?? throw new CpuException(ExceptionVector.GeneralProtection, ErrorCode(selector, ext));
        ulong low = cpu.Memory.ReadSystem(address, 8);
        ulong high = wide ? cpu.Memory.ReadSystem(address + 8, 8) : 0;
        return new SegmentDescriptor(low, high);
    }

    /// <summary>Sets the accessed bit of a code or data descriptor (SDM 3.4.5.1), as the processor does on a load.</summary>
    public static void MarkAccessed(Processor cpu, ushort selector, SegmentDescriptor descriptor)
    {
        if (descriptor.IsCodeOrData && !descriptor.Accessed && Address(cpu.State, selector) is { } address)
        {
            cpu.Memory.WriteSystem(address + 5, 1, (byte)((descriptor.Low >> 40) | 1));
        }
    }

    /// <summary>Sets the busy bit of an available TSS descriptor (LTR).</summary>
    public static void MarkBusy(Processor cpu, ushort selector, SegmentDescriptor descriptor)
    {
        if (Address(cpu.State, selector) is { } address)
        {
            cpu.Memory.WriteSystem(address + 5, 1, (byte)((descriptor.Low >> 40) | 2));
        }
    }

    /// <summary>The error code naming a selector: index and TI, plus EXT (bit 0).</summary>
    public static uint ErrorCode(ushort selector, uint ext) => (uint)(selector & 0xFFFC) | (ext & 1);
}
