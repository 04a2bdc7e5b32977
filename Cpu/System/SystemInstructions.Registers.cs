using Cpu.Debug;
using Cpu.Execution;
using Cpu.Semantics;
using Cpu.State;
using Iced.Intel;

namespace Cpu.System;

// SystemInstructions, part: MOV to and from control and debug registers, INVPCID and RDPMC.
public static partial class SystemInstructions
{
    private static void InvalidatePcid(Processor cpu, in Instruction instruction)
    {
        CpuState s = cpu.State;
        if ((cpu.SystemRegisters.Features & CpuFeatures.Invpcid) == 0)
        {
            throw CpuException.InvalidOpcode();
        }

        RequireCpl0(s);
        ulong type = Operands.ReadRegister(s, instruction.Op0Register);
        ulong address = OperandAddress(cpu, instruction);
        ulong pcid = cpu.Memory.Read64(address);
        ulong linear = cpu.Memory.Read64(address + 8);
        bool pcide = (s.Cr4 & ControlRegisters.Cr4Pcide) != 0;
        bool valid = type switch
        {
            0 => pcid >> 12 == 0 && ProcessorMode.IsCanonical(linear) && (pcide || pcid == 0),
            1 => pcid >> 12 == 0 && (pcide || pcid == 0),
            2 or 3 => true,
            _ => false,
        };
        if (!valid)
        {
            throw CpuException.GeneralProtection(0);
        }

        cpu.Memory.InvalidatePcid((int)type, pcid, linear);
    }

    /// <summary>RDPMC: only fixed counter 0 (ECX = 0x4000_0000) exists; CR4.PCE allows it above CPL 0.</summary>
    private static void ReadPerformanceCounter(Processor cpu)
    {
        CpuState s = cpu.State;
        if ((s.Cr4 & ControlRegisters.Cr4Pce) == 0)
        {
            RequireCpl0(s);
        }

        if ((uint)s.Gpr[Rcx] != 0x4000_0000)
        {
            throw CpuException.GeneralProtection(0);
        }

        ModelSpecificRegisters msr = cpu.SystemRegisters.Msr;
        msr.SyncCounters(cpu);
        s.Gpr[Rax] = (uint)msr.FixedCounter0;
        s.Gpr[Rdx] = msr.FixedCounter0 >> 32;
    }

    /// <summary>MOV to/from CRn and DRn (and MOV Sreg when routed here).</summary>
    private static void Move(Processor cpu, in Instruction instruction)
    {
        CpuState s = cpu.State;
        Register destination = instruction.Op0Kind == OpKind.Register ? instruction.Op0Register : Register.None;
        Register source = instruction.Op1Kind == OpKind.Register ? instruction.Op1Register : Register.None;
        if (destination.IsSegmentRegister())
        {
            SegmentLoading.Load(cpu, destination - Register.ES, (ushort)Operands.ReadOperand(cpu, instruction, 1));
            return;
        }

        if (destination.IsCR() || source.IsCR())
        {
            bool write = destination.IsCR();
            int n = write ? destination - Register.CR0 : source - Register.CR0;
            if (n is not (0 or 2 or 3 or 4 or 8))
            {
                throw CpuException.InvalidOpcode();
            }

            RequireCpl0(s);
            if (write)
            {
                ulong value = Operands.ReadRegister(s, source);
                switch (n)
                {
                    case 0: ControlRegisters.WriteCr0(cpu, value); break;
                    case 2: s.Cr2 = value; break;
                    case 3: ControlRegisters.WriteCr3(cpu, value); break;
                    case 4: ControlRegisters.WriteCr4(cpu, value); break;
                    default: ControlRegisters.WriteCr8(cpu, value); break;
                }
            }
            else
            {
                ulong value = n switch
                {
                    0 => s.Cr0,
                    2 => s.Cr2,
                    3 => s.Cr3,
                    4 => s.Cr4,
                    _ => ControlRegisters.ReadCr8(cpu),
                };
                Operands.WriteRegister(s, destination, value);
            }

            return;
        }

        if (destination.IsDR() || source.IsDR())
        {
            bool write = destination.IsDR();
            int n = write ? destination - Register.DR0 : source - Register.DR0;
            if (n > 7 || (n is 4 or 5 && (s.Cr4 & ControlRegisters.Cr4De) != 0))
            {
                throw CpuException.InvalidOpcode();
            }

            RequireCpl0(s);
            n = n switch { 4 => 6, 5 => 7, _ => n };
            DebugRegisters debug = cpu.GuestDebug;
            if (debug.GeneralDetectArmed)
            {
                // General detect (SDM 18.2.4): a fault before the move, GD cleared so the handler may use DRs.
                debug.Report(0, DebugRegisters.BD);
                debug.Write(7, debug.Read(7) & ~DebugRegisters.GeneralDetect);
                throw new CpuException(ExceptionVector.Debug);
            }

            if (write)
            {
                ulong value = Operands.ReadRegister(s, source);
                if (n >= 6 && value >> 32 != 0)
                {
                    throw CpuException.GeneralProtection(0);
                }

                debug.Write(n, value);
            }
            else
            {
                Operands.WriteRegister(s, destination, debug.Read(n));
            }

            return;
        }

        throw new InvalidOperationException($"MOV {instruction.Op0Kind}, {instruction.Op1Kind} is not a system move");
    }
}
