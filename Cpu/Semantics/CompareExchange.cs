using Cpu.Execution;
using Cpu.State;
using Iced.Intel;
using static Cpu.State.GprIndex;

namespace Cpu.Semantics;

/// <summary>CMPXCHG, CMPXCHG8B and CMPXCHG16B (Intel SDM Vol. 2).</summary>
public static class CompareExchange
{
    public static void Cmpxchg(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        Register src = ins.Op1Register;
        int size = Operands.RegisterSize(src);
        ulong acc = s.Gpr[Rax] & Operands.SizeMask(size);
        if (ins.Op0Kind == OpKind.Register)
        {
            ulong d = Operands.ReadRegister(s, ins.Op0Register);
            Alu.Sub(s, acc, d, size);
            if (acc == d)
            {
                Operands.WriteRegister(s, ins.Op0Register, Operands.ReadRegister(s, src));
            }
            else
            {
                // A register destination is not written on failure (its upper half is kept), as on Intel processors.
                WriteAccumulator(s, d, size);
            }

            return;
        }

        ulong ea = Operands.EffectiveAddress(cpu, ins);
        ulong old = Operands.ReadMemory(cpu, ea, size);

        // The destination is always written (with its old value on failure), Intel SDM CMPXCHG.
        Operands.WriteMemory(cpu, ea, size, acc == old ? Operands.ReadRegister(s, src) : old);
        Alu.Sub(s, acc, old, size);
        if (acc != old)
        {
            WriteAccumulator(s, old, size);
        }
    }

    private static void WriteAccumulator(CpuState s, ulong value, int size)
    {
        ref ulong rax = ref s.Gpr[Rax];
        rax = size switch
        {
            8 => value,
            4 => (uint)value,
            2 => (rax & ~0xFFFFUL) | (ushort)value,
            _ => (rax & ~0xFFUL) | (byte)value,
        };
    }

    public static void Cmpxchg8b(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        ulong ea = Operands.EffectiveAddress(cpu, ins);
        ulong old = cpu.Memory.Read64(ea);
        ulong expected = ((s.Gpr[Rdx] & 0xFFFF_FFFF) << 32) | (s.Gpr[Rax] & 0xFFFF_FFFF);
        if (old == expected)
        {
            cpu.Memory.Write64(ea, ((s.Gpr[Rcx] & 0xFFFF_FFFF) << 32) | (s.Gpr[3] & 0xFFFF_FFFF));
            s.SetFlags(Rflag.ZF, Rflag.ZF);
        }
        else
        {
            cpu.Memory.Write64(ea, old);
            s.SetFlags(Rflag.ZF, 0);
            s.Gpr[Rax] = (uint)old;
            s.Gpr[Rdx] = old >> 32;
        }
    }

    public static void Cmpxchg16b(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        ulong ea = Operands.EffectiveAddress(cpu, ins);
        if ((ea & 15) != 0)
        {
            throw CpuException.GeneralProtection();
        }

        ulong lo = cpu.Memory.Read64(ea);
        ulong hi = cpu.Memory.Read64(ea + 8);
        cpu.Memory.ProbeWrite(ea, 16);
        if (lo == s.Gpr[Rax] && hi == s.Gpr[Rdx])
        {
            cpu.Memory.Write64(ea, s.Gpr[3]);
            cpu.Memory.Write64(ea + 8, s.Gpr[Rcx]);
            s.SetFlags(Rflag.ZF, Rflag.ZF);
        }
        else
        {
            cpu.Memory.Write64(ea, lo);
            cpu.Memory.Write64(ea + 8, hi);
            s.SetFlags(Rflag.ZF, 0);
            s.Gpr[Rax] = lo;
            s.Gpr[Rdx] = hi;
        }
    }
}
