using Cpu.State;
using Cpu.System;
using Iced.Intel;

namespace Cpu.Semantics;

/// <summary>
/// String instructions MOVS STOS LODS CMPS SCAS INS OUTS with REP/REPE/REPNE (Intel SDM Vol. 2, REP).
/// Each iteration updates RSI/RDI/RCX after its memory accesses, so a fault leaves the registers at the
/// faulting element. A long REP runs in slices: when a slice ends with work left, RIP stays on the
/// instruction so interrupts can be taken between slices. A single step or a data or I/O breakpoint hit
/// stops it after the iteration in question, likewise (Intel SDM Vol. 3B, 18.3.1.2 and 18.3.1.4): the
/// trap is reported between iterations, with RF set so that an instruction breakpoint on the REP does not
/// fire again when it resumes (SDM 18.3.1.1).
/// </summary>
public static class Strings
{
    /// <summary>Iterations per slice before REP yields to the run loop.</summary>
    public const int SliceIterations = 4096;

    private const int Rax = 0;
    private const int Rcx = 1;
    private const int Rsi = 6;
    private const int Rdi = 7;

    public static void Execute(Processor cpu, in Instruction ins)
    {
        CpuState s = cpu.State;
        int elementSize = Operands.MemorySizeBytes(ins.MemorySize);
        int addressSize = AddressSize(ins);
        long step = s.DF ? -elementSize : elementSize;
        bool rep = ins.HasRepPrefix || ins.HasRepePrefix || ins.HasRepnePrefix;
        Mnemonic m = ins.Mnemonic;
        Register sourceSegment = ins.MemorySegment;
        bool traps = rep && cpu.DebugTrapsPossible;
        bool compares = m is Mnemonic.Cmpsb or Mnemonic.Cmpsw or Mnemonic.Cmpsd or Mnemonic.Cmpsq or Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd or Mnemonic.Scasq;

        for (int i = 0; ; i++)
        {
            if (rep)
            {
                if (Masked(s.Gpr[Rcx], addressSize) == 0)
                {
                    return;
                }

                if (i == SliceIterations)
                {
                    cpu.State.Rip = ins.IP;
                    cpu.EndBlock();
                    return;
                }
            }

            Step(cpu, m, elementSize, addressSize, step, sourceSegment);

            if (!rep)
            {
                return;
            }

            s.Gpr[Rcx] = WithAddress(s.Gpr[Rcx], Masked(s.Gpr[Rcx], addressSize) - 1, addressSize);
            if (compares)
            {
                bool zf = s.ZF;
                if ((ins.HasRepePrefix && !zf) || (ins.HasRepnePrefix && zf))
                {
                    return;
                }
            }

            if (traps && cpu.DebugTrapPending && Masked(s.Gpr[Rcx], addressSize) != 0)
            {
                s.Rip = ins.IP;
                s.FlagBits |= Rflag.RF;
                cpu.EndBlock();
                return;
            }
        }
    }

    private static void Step(Processor cpu, Mnemonic m, int size, int addressSize, long step, Register sourceSegment)
    {
        CpuState s = cpu.State;
        ulong[] g = s.Gpr;
        switch (m)
        {
            case Mnemonic.Movsb:
            case Mnemonic.Movsw:
            case Mnemonic.Movsd:
            case Mnemonic.Movsq:
                {
                    ulong v = Operands.ReadMemory(cpu, Source(cpu, sourceSegment, addressSize), size);
                    Operands.WriteMemory(cpu, Destination(cpu, addressSize), size, v);
                    Advance(g, Rsi, step, addressSize);
                    Advance(g, Rdi, step, addressSize);
                    break;
                }

            case Mnemonic.Stosb:
            case Mnemonic.Stosw:
            case Mnemonic.Stosd:
            case Mnemonic.Stosq:
                Operands.WriteMemory(cpu, Destination(cpu, addressSize), size, g[Rax]);
                Advance(g, Rdi, step, addressSize);
                break;

            case Mnemonic.Lodsb:
            case Mnemonic.Lodsw:
            case Mnemonic.Lodsd:
            case Mnemonic.Lodsq:
                {
                    ulong v = Operands.ReadMemory(cpu, Source(cpu, sourceSegment, addressSize), size);
                    WriteAccumulator(g, v, size);
                    Advance(g, Rsi, step, addressSize);
                    break;
                }

            case Mnemonic.Cmpsb:
            case Mnemonic.Cmpsw:
            case Mnemonic.Cmpsd:
            case Mnemonic.Cmpsq:
                {
                    ulong a = Operands.ReadMemory(cpu, Source(cpu, sourceSegment, addressSize), size);
                    ulong b = Operands.ReadMemory(cpu, Destination(cpu, addressSize), size);
                    Alu.Sub(s, a, b, size);
                    Advance(g, Rsi, step, addressSize);
                    Advance(g, Rdi, step, addressSize);
                    break;
                }

            case Mnemonic.Scasb:
            case Mnemonic.Scasw:
            case Mnemonic.Scasd:
            case Mnemonic.Scasq:
                {
                    ulong b = Operands.ReadMemory(cpu, Destination(cpu, addressSize), size);
                    Alu.Sub(s, g[Rax], b, size);
                    Advance(g, Rdi, step, addressSize);
                    break;
                }

            case Mnemonic.Insb:
            case Mnemonic.Insw:
            case Mnemonic.Insd:
                {
                    ushort port = (ushort)g[2];
                    SystemInstructions.CheckIoPermission(cpu, port, size);
                    ulong dest = Destination(cpu, addressSize);
                    cpu.Memory.ProbeWrite(dest, size);
                    uint v = cpu.Ports.In(port, size);
                    Operands.WriteMemory(cpu, dest, size, v);
                    Advance(g, Rdi, step, addressSize);
                    break;
                }

            case Mnemonic.Outsb:
            case Mnemonic.Outsw:
            case Mnemonic.Outsd:
                {
                    ushort port = (ushort)g[2];
                    SystemInstructions.CheckIoPermission(cpu, port, size);
                    ulong v = Operands.ReadMemory(cpu, Source(cpu, sourceSegment, addressSize), size);
                    cpu.Ports.Out(port, size, (uint)v);
                    Advance(g, Rsi, step, addressSize);
                    break;
                }

            default:
                throw new InvalidOperationException($"not a string instruction: {m}");
        }
    }

    private static int AddressSize(in Instruction ins)
    {
        for (int op = 0; op < ins.OpCount; op++)
        {
            switch (ins.GetOpKind(op))
            {
                case OpKind.MemorySegSI:
                case OpKind.MemorySegDI:
                case OpKind.MemoryESDI:
                    return 2;
                case OpKind.MemorySegESI:
                case OpKind.MemorySegEDI:
                case OpKind.MemoryESEDI:
                    return 4;
                case OpKind.MemorySegRSI:
                case OpKind.MemorySegRDI:
                case OpKind.MemoryESRDI:
                    return 8;
            }
        }

        return 8;
    }

    private static ulong Masked(ulong value, int addressSize) => value & Operands.SizeMask(addressSize);

    private static ulong WithAddress(ulong register, ulong value, int addressSize) => addressSize switch
    {
        8 => value,
        4 => (uint)value,
        _ => (register & ~0xFFFFUL) | (ushort)value,
    };

    private static void Advance(ulong[] g, int reg, long step, int addressSize) =>
        g[reg] = WithAddress(g[reg], Masked(g[reg], addressSize) + (ulong)step, addressSize);

    private static ulong Source(Processor cpu, Register segment, int addressSize) =>
        Operands.SegmentedAddress(cpu, segment, Masked(cpu.State.Gpr[Rsi], addressSize));

    private static ulong Destination(Processor cpu, int addressSize) =>
        Operands.SegmentedAddress(cpu, Register.ES, Masked(cpu.State.Gpr[Rdi], addressSize));

    private static void WriteAccumulator(ulong[] g, ulong v, int size)
    {
        g[Rax] = size switch
        {
            8 => v,
            4 => (uint)v,
            2 => (g[Rax] & ~0xFFFFUL) | (ushort)v,
            _ => (g[Rax] & ~0xFFUL) | (byte)v,
        };
    }
}
