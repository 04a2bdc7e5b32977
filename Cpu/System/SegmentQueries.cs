using Cpu.Execution;
using Cpu.Semantics;
using Cpu.State;
using Iced.Intel;

namespace Cpu.System;

/// <summary>
/// LAR, LSL, VERR and VERW (Intel SDM Vol. 2A/2B): they inspect a descriptor and report through ZF
/// instead of faulting. Valid only in protected mode.
/// </summary>
public static class SegmentQueries
{
    public static void Execute(Processor cpu, in Instruction instruction)
    {
        CpuState s = cpu.State;
        if (!ProcessorMode.IsProtected(s))
        {
            throw CpuException.InvalidOpcode();
        }

        bool query = instruction.Mnemonic is Mnemonic.Lar or Mnemonic.Lsl;
        ushort selector = (ushort)Operands.ReadOperand(cpu, instruction, query ? 1 : 0);
        SegmentDescriptor? found = Visible(cpu, selector);
        bool ok = false;
        ulong result = 0;
        if (found is { } d)
        {
            switch (instruction.Mnemonic)
            {
                case Mnemonic.Lar:
                    ok = d.IsCodeOrData || LarSystemTypeValid(s, d.Type);
                    result = d.Low >> 32 & 0x00F0_FF00;
                    break;
                case Mnemonic.Lsl:
                    ok = d.IsCodeOrData || LslSystemTypeValid(s, d.Type);
                    result = d.Limit;
                    break;
                case Mnemonic.Verr:
                    ok = d.IsCodeOrData && d.Readable;
                    break;
                default:
                    ok = d.Writable;
                    break;
            }

            // Conforming code is visible at any privilege; everything else needs DPL >= max(CPL, RPL).
            if (!d.Conforming && (d.Dpl < s.Cpl || d.Dpl < (selector & 3)))
            {
                ok = false;
            }
        }

        if (ok && query)
        {
            Operands.WriteRegister(s, instruction.Op0Register, result);
        }

        s.Rflags = (s.Rflags & ~SystemFlags.Zero) | (ok ? SystemFlags.Zero : 0);
    }

    /// <summary>The descriptor a selector names, or null when it is null or beyond the table limit.</summary>
    private static SegmentDescriptor? Visible(Processor cpu, ushort selector)
    {
        if (DescriptorTables.IsNull(selector) || DescriptorTables.Address(cpu.State, selector) is not { } address)
        {
            return null;
        }

        return new SegmentDescriptor(cpu.Memory.ReadSystem(address, 8));
    }

    private static bool LarSystemTypeValid(CpuState s, int type) => ProcessorMode.IsLongModeActive(s)
        ? type is SystemDescriptorType.Ldt or SystemDescriptorType.TssAvailable or SystemDescriptorType.TssBusy or SystemDescriptorType.CallGate
        : type is 1 or 2 or 3 or 4 or 5 or 9 or 11 or 12;

    private static bool LslSystemTypeValid(CpuState s, int type) => ProcessorMode.IsLongModeActive(s)
        ? type is SystemDescriptorType.Ldt or SystemDescriptorType.TssAvailable or SystemDescriptorType.TssBusy
        : type is 1 or 2 or 3 or 9 or 11;
}
