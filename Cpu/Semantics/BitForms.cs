using Cpu.State;
using Iced.Intel;

namespace Cpu.Semantics;

/// <summary>Bit test, scan and BMI forms: fetch operands, call <see cref="BitOps"/>, write back.</summary>
public static class BitForms
{
    public static void BitScan(Processor cpu, ref Instruction ins)
    {
        // A zero source leaves the whole destination register unwritten (no zero-extension), as Intel processors do.
        CpuState s = cpu.State;
        int size = Operands.OperandSize(ins, 0);
        ulong src = Operands.ReadOperand(cpu, ins, 1);
        ulong dest = Operands.ReadRegister(s, ins.Op0Register);
        ulong r = ins.Mnemonic == Mnemonic.Bsf ? BitOps.Bsf(s, src, dest, size) : BitOps.Bsr(s, src, dest, size);
        if ((src & Operands.SizeMask(size)) != 0)
        {
            Operands.WriteRegister(s, ins.Op0Register, r);
        }
    }

    public static void Tzcnt(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, BitOps.Tzcnt(cpu.State, Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 0)));

    public static void Lzcnt(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, BitOps.Lzcnt(cpu.State, Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 0)));

    public static void Popcnt(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, BitOps.Popcnt(cpu.State, Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 0)));

    /// <summary>
    /// CRC32 (SSE4.2): the CRC-32C (Castagnoli, reflected, no inversion) of the source accumulated into the
    /// low 32 bits of the destination, which is zero-extended; flags unchanged. BitOperations.Crc32C
    /// is that operation (the host instruction when present, a table otherwise).
    /// </summary>
    public static void Crc32(Processor cpu, ref Instruction ins)
    {
        uint crc = (uint)Operands.ReadRegister(cpu.State, ins.Op0Register);
        ulong data = Operands.ReadOperand(cpu, ins, 1);
        crc = Operands.OperandSize(ins, 1) switch
        {
            1 => global::System.Numerics.BitOperations.Crc32C(crc, (byte)data),
            2 => global::System.Numerics.BitOperations.Crc32C(crc, (ushort)data),
            4 => global::System.Numerics.BitOperations.Crc32C(crc, (uint)data),
            _ => global::System.Numerics.BitOperations.Crc32C(crc, data),
        };
        Operands.WriteRegister(cpu.State, ins.Op0Register, crc);
    }

    public static void Andn(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, BitOps.Andn(cpu.State, Operands.ReadOperand(cpu, ins, 1), Operands.ReadOperand(cpu, ins, 2), Operands.OperandSize(ins, 0)));

    public static void Bextr(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, BitOps.Bextr(cpu.State, Operands.ReadOperand(cpu, ins, 1), Operands.ReadOperand(cpu, ins, 2), Operands.OperandSize(ins, 0)));

    public static void Blsi(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, BitOps.Blsi(cpu.State, Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 0)));

    public static void Blsmsk(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, BitOps.Blsmsk(cpu.State, Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 0)));

    public static void Blsr(Processor cpu, ref Instruction ins) =>
        Operands.WriteRegister(cpu.State, ins.Op0Register, BitOps.Blsr(cpu.State, Operands.ReadOperand(cpu, ins, 1), Operands.OperandSize(ins, 0)));

    public static void BitTest(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        int kind = ins.Mnemonic switch
        {
            Mnemonic.Bts => 1,
            Mnemonic.Btr => 2,
            Mnemonic.Btc => 3,
            _ => 0,
        };
        int size = Operands.OperandSize(ins, 0);
        int bits = size * 8;
        ulong offset = Operands.ReadOperand(cpu, ins, 1);
        if (ins.Op0Kind == OpKind.Register)
        {
            ulong v = Operands.ReadRegister(s, ins.Op0Register);
            ulong r = BitOps.BitTest(s, v, (int)(offset & (ulong)(bits - 1)), kind);
            if (kind != 0)
            {
                Operands.WriteRegister(s, ins.Op0Register, r);
            }

            return;
        }

        ulong ea = Operands.EffectiveAddress(cpu, ins);
        int bit;
        if (ins.Op1Kind == OpKind.Register)
        {
            // Bit-string addressing: a register offset is signed and may reach outside the operand (SDM BT).
            long signed = Operands.SignExtend(offset, size);
            ea += (ulong)((signed >> (bits == 64 ? 6 : bits == 32 ? 5 : 4)) * size);
            if (cpu.Bitness != 64)
            {
                ea = (uint)ea;
            }

            bit = (int)(signed & (bits - 1));
        }
        else
        {
            bit = (int)(offset & (ulong)(bits - 1));
        }

        ulong value = Operands.ReadMemory(cpu, ea, size);
        if (kind != 0)
        {
            cpu.Memory.ProbeWrite(ea, size);
        }

        ulong result = BitOps.BitTest(s, value, bit, kind);
        if (kind != 0)
        {
            Operands.WriteMemory(cpu, ea, size, result);
        }
    }
}
