using Cpu.Execution;
using Cpu.State;
using Iced.Intel;

namespace Cpu.System;

// SystemInstructions, part: LGDT/LIDT, SGDT/SIDT, LLDT and LTR.
public static partial class SystemInstructions
{
    private static void LoadDescriptorTableRegister(Processor cpu, in Instruction instruction)
    {
        CpuState s = cpu.State;
        RequireCpl0(s);
        ulong address = OperandAddress(cpu, instruction);
        ushort limit = cpu.Memory.Read16(address);
        ulong tableBase;
        if (ProcessorMode.Is64Bit(s))
        {
            tableBase = cpu.Memory.Read64(address + 2);
            if (!ProcessorMode.IsCanonical(tableBase))
            {
                throw CpuException.GeneralProtection(0);
            }
        }
        else
        {
            tableBase = cpu.Memory.Read32(address + 2);
            if (instruction.Code is Code.Lgdt_m1632_16 or Code.Lidt_m1632_16)
            {
                tableBase &= 0xFF_FFFF;
            }
        }

        if (instruction.Mnemonic == Mnemonic.Lgdt)
        {
            s.GdtrBase = tableBase;
            s.GdtrLimit = limit;
        }
        else
        {
            s.IdtrBase = tableBase;
            s.IdtrLimit = limit;
        }
    }

    private static void StoreDescriptorTableRegister(Processor cpu, in Instruction instruction)
    {
        CpuState s = cpu.State;
        CheckUmip(s);
        bool gdt = instruction.Mnemonic == Mnemonic.Sgdt;
        ulong tableBase = gdt ? s.GdtrBase : s.IdtrBase;
        ushort limit = gdt ? s.GdtrLimit : s.IdtrLimit;
        ulong address = OperandAddress(cpu, instruction);
        int baseSize = ProcessorMode.Is64Bit(s) ? 8 : 4;
        cpu.Memory.ProbeWrite(address, 2 + baseSize);
        cpu.Memory.Write16(address, limit);
        if (baseSize == 8)
        {
            cpu.Memory.Write64(address + 2, tableBase);
        }
        else
        {
            cpu.Memory.Write32(address + 2, (uint)tableBase);
        }
    }

    /// <summary>LLDT (SDM LLDT): a null selector leaves LDTR unusable; otherwise an LDT descriptor from the GDT.</summary>
    private static void LoadLdt(Processor cpu, ushort selector)
    {
        CpuState s = cpu.State;
        if (DescriptorTables.IsNull(selector))
        {
            s.Ldtr = SegmentLoading.NullSegment(selector);
            return;
        }

        uint error = DescriptorTables.ErrorCode(selector, 0);
        if ((selector & DescriptorTables.TableIndicator) != 0)
        {
            throw CpuException.GeneralProtection(error);
        }

        SegmentDescriptor d = DescriptorTables.ReadSystem(cpu, selector);
        if (d.IsCodeOrData || d.Type != SystemDescriptorType.Ldt)
        {
            throw CpuException.GeneralProtection(error);
        }

        if (!d.Present)
        {
            throw new CpuException(ExceptionVector.SegmentNotPresent, error);
        }

        ulong ldtBase = ProcessorMode.IsLongModeActive(s) ? d.Base64 : d.Base32;
        if (!ProcessorMode.IsCanonical(ldtBase))
        {
            throw CpuException.GeneralProtection(error);
        }

        s.Ldtr = new SegmentRegister { Selector = selector, Base = ldtBase, Limit = d.Limit, Attributes = d.Attributes };
    }

    /// <summary>LTR (SDM LTR): an available TSS descriptor from the GDT, which becomes busy.</summary>
    private static void LoadTaskRegister(Processor cpu, ushort selector)
    {
        CpuState s = cpu.State;
        if (DescriptorTables.IsNull(selector))
        {
            throw CpuException.GeneralProtection(0);
        }

        uint error = DescriptorTables.ErrorCode(selector, 0);
        if ((selector & DescriptorTables.TableIndicator) != 0)
        {
            throw CpuException.GeneralProtection(error);
        }

        SegmentDescriptor d = DescriptorTables.ReadSystem(cpu, selector);
        bool lma = ProcessorMode.IsLongModeActive(s);
        bool available = d.Type == SystemDescriptorType.TssAvailable || (!lma && d.Type == SystemDescriptorType.Tss16Available);
        if (d.IsCodeOrData || !available)
        {
            throw CpuException.GeneralProtection(error);
        }

        if (!d.Present)
        {
            throw new CpuException(ExceptionVector.SegmentNotPresent, error);
        }

        ulong tssBase = lma ? d.Base64 : d.Base32;
        if (!ProcessorMode.IsCanonical(tssBase))
        {
            throw CpuException.GeneralProtection(error);
        }

        DescriptorTables.MarkBusy(cpu, selector, d);
        s.Tr = new SegmentRegister { Selector = selector, Base = tssBase, Limit = d.Limit, Attributes = (ushort)(d.Attributes | 2) };
    }
}
