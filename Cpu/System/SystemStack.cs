using Cpu.Execution;
using Cpu.State;

namespace Cpu.System;

/// <summary>
/// Stack pushes and pops of the system transfers (interrupt delivery, IRET, far CALL/RET), which may
/// write a stack of another privilege level than the current one. Values are pushed into a frame first
/// and committed to registers only after every write succeeded.
/// </summary>
public static class SystemStack
{
    /// <summary>Writes <paramref name="size"/> bytes at <paramref name="linear"/> as an access of the given privilege.</summary>
    public static void WriteAs(Processor cpu, ulong linear, int size, ulong value, bool user)
    {
        bool saved = cpu.Memory.UserMode;
        cpu.Memory.UserMode = user;
        try
        {
            switch (size)
            {
                case 2: cpu.Memory.Write16(linear, (ushort)value); break;
                case 4: cpu.Memory.Write32(linear, (uint)value); break;
                default: cpu.Memory.Write64(linear, value); break;
            }
        }
        finally
        {
            cpu.Memory.UserMode = saved;
        }
    }

    /// <summary>Reads <paramref name="size"/> bytes at <paramref name="linear"/> with the current privilege.</summary>
    public static ulong Read(Processor cpu, ulong linear, int size) => size switch
    {
        2 => cpu.Memory.Read16(linear),
        4 => cpu.Memory.Read32(linear),
        _ => cpu.Memory.Read64(linear),
    };

    /// <summary>The linear address of stack offset <paramref name="sp"/> in segment <paramref name="ss"/> (base ignored in 64-bit mode).</summary>
    public static ulong Linear(in SegmentRegister ss, ulong sp, bool sixtyFourBit) =>
        sixtyFourBit ? sp : (ss.Base + sp) & 0xFFFF_FFFF;

    /// <summary>The mask of the stack pointer: RSP in 64-bit mode, ESP with SS.B, else SP.</summary>
    public static ulong PointerMask(in SegmentRegister ss, bool sixtyFourBit) =>
        sixtyFourBit ? ulong.MaxValue : (ss.Attributes & SegmentAttributes.Big) != 0 ? 0xFFFF_FFFF : 0xFFFF;

    /// <summary>RSP with its low bits replaced by <paramref name="sp"/> as the stack size says (SP keeps RSP's upper bits).</summary>
    public static ulong MergePointer(ulong rsp, ulong sp, ulong mask) => mask == 0xFFFF ? (rsp & ~0xFFFFUL) | (sp & 0xFFFF) : sp & mask;

    /// <summary>Pops <paramref name="size"/> bytes from <paramref name="sp"/> (advanced) in the current stack segment.</summary>
    public static ulong Pop(Processor cpu, ref ulong sp, int size, bool sixtyFourBit)
    {
        ref SegmentRegister ss = ref cpu.State.Segments[SegmentIndex.Ss];
        ulong mask = PointerMask(ss, sixtyFourBit);
        if (sixtyFourBit && !ProcessorMode.IsCanonical(sp))
        {
            throw CpuException.StackFault(0);
        }

        ulong value = Read(cpu, Linear(ss, sp & mask, sixtyFourBit), size);
        sp = (sp + (ulong)size) & mask;
        return value;
    }
}
