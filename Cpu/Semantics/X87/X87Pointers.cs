using Cpu.State;
using Iced.Intel;

namespace Cpu.Semantics.X87;

/// <summary>
/// The last-instruction pointers (Intel SDM Vol. 1, 8.1.8 and 8.1.9): every non-control x87 instruction
/// records its CS:IP and its opcode (the low three bits of the escape byte and the ModR/M byte, 11 bits),
/// and one with a memory operand records that operand's segment:offset. FNSTENV, FNSAVE and FXSAVE store
/// them for an exception handler.
/// </summary>
public static class X87Pointers
{
    /// <summary>At most this many prefix bytes precede the escape byte (an instruction is at most 15 bytes).</summary>
    private const int MaxPrefixes = 14;

    public static void Record(Processor cpu, X87State x, in Instruction ins)
    {
        CpuState s = cpu.State;
        x.InstructionPointer = ins.IP;
        x.CodeSelector = s.Segments[SegmentIndex.Cs].Selector;
        x.Opcode = OpcodeOf(cpu, ins);
        if (ins.OpCount > 0 && (ins.Op0Kind == OpKind.Memory || (ins.OpCount > 1 && ins.Op1Kind == OpKind.Memory)))
        {
            x.DataPointer = Operands.EffectiveOffset(s, ins);
            x.DataSelector = s.Segments[ins.MemorySegment - Register.ES].Selector;
        }
    }

    /// <summary>The instruction's 11-bit FOP, read from its bytes after any prefixes (the decoder keeps no ModR/M byte).</summary>
    private static ushort OpcodeOf(Processor cpu, in Instruction ins)
    {
        // Code is decoded at linear = RIP (flat code segments), so the instruction's bytes are at its IP.
        ulong linear = ins.IP;
        for (int i = 0; i <= MaxPrefixes; i++)
        {
            byte b = cpu.Memory.Fetch8(linear + (ulong)i);
            if ((b & 0xF8) == 0xD8)
            {
                return (ushort)(((b & 7) << 8) | cpu.Memory.Fetch8(linear + (ulong)i + 1));
            }
        }

        return 0;
    }
}
