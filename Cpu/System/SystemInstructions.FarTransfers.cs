using Cpu.Execution;
using Cpu.Semantics;
using Cpu.State;
using Iced.Intel;

namespace Cpu.System;

// SystemInstructions, part: far JMP/CALL/RET, the FS/GS base instructions, LDS/LES/LFS/LGS/LSS and ARPL.
public static partial class SystemInstructions
{
    private static int FarReturnSize(Code code) => code switch
    {
        Code.Retfw or Code.Retfw_imm16 => 2,
        Code.Retfq or Code.Retfq_imm16 => 8,
        _ => 4,
    };

    /// <summary>Far JMP/CALL: a direct ptr16:16/ptr16:32 or an indirect m16:16/m16:32/m16:64.</summary>
    private static void FarBranch(Processor cpu, in Instruction instruction)
    {
        ushort selector;
        ulong offset;
        int size;
        switch (instruction.Op0Kind)
        {
            case OpKind.FarBranch16:
                selector = instruction.FarBranchSelector;
                offset = instruction.FarBranch16;
                size = 2;
                break;
            case OpKind.FarBranch32:
                selector = instruction.FarBranchSelector;
                offset = instruction.FarBranch32;
                size = 4;
                break;
            case OpKind.Memory when instruction.MemorySize is MemorySize.SegPtr16 or MemorySize.SegPtr32 or MemorySize.SegPtr64:
                {
                    size = instruction.MemorySize switch
                    {
                        MemorySize.SegPtr16 => 2,
                        MemorySize.SegPtr32 => 4,
                        _ => 8,
                    };
                    ulong address = OperandAddress(cpu, instruction);
                    offset = Operands.ReadMemory(cpu, address, size);
                    selector = cpu.Memory.Read16(address + (ulong)size);
                    break;
                }

            default:
                throw new InvalidOperationException($"{instruction.Mnemonic} with operand {instruction.Op0Kind} is not a far branch");
        }

        if (instruction.Mnemonic == Mnemonic.Jmp)
        {
            FarTransfers.Jump(cpu, selector, offset);
        }
        else
        {
            FarTransfers.Call(cpu, selector, offset, size);
        }
    }

    /// <summary>RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE: 64-bit mode with CR4.FSGSBASE.</summary>
    private static void SegmentBase(Processor cpu, in Instruction instruction)
    {
        CpuState s = cpu.State;
        if (!ProcessorMode.Is64Bit(s) || (s.Cr4 & ControlRegisters.Cr4FsGsBase) == 0)
        {
            throw CpuException.InvalidOpcode();
        }

        int segment = instruction.Mnemonic is Mnemonic.Rdfsbase or Mnemonic.Wrfsbase ? SegmentIndex.Fs : SegmentIndex.Gs;
        Register register = instruction.Op0Register;
        if (instruction.Mnemonic is Mnemonic.Rdfsbase or Mnemonic.Rdgsbase)
        {
            Operands.WriteRegister(s, register, s.Segments[segment].Base);
            return;
        }

        ulong value = Operands.ReadRegister(s, register);
        if (!ProcessorMode.IsCanonical(value))
        {
            throw CpuException.GeneralProtection(0);
        }

        s.Segments[segment].Base = value;
    }

    /// <summary>LSS/LDS/LES/LFS/LGS: offset then selector from memory; the segment load's checks come first.</summary>
    private static void LoadFarPointer(Processor cpu, in Instruction instruction)
    {
        CpuState s = cpu.State;
        int size = Operands.RegisterSize(instruction.Op0Register);
        ulong address = OperandAddress(cpu, instruction);
        ulong offset = Operands.ReadMemory(cpu, address, size);
        ushort selector = cpu.Memory.Read16(address + (ulong)size);
        int segment = instruction.Mnemonic switch
        {
            Mnemonic.Lss => SegmentIndex.Ss,
            Mnemonic.Lds => SegmentIndex.Ds,
            Mnemonic.Les => SegmentIndex.Es,
            Mnemonic.Lfs => SegmentIndex.Fs,
            _ => SegmentIndex.Gs,
        };
        SegmentLoading.Load(cpu, segment, selector);
        Operands.WriteRegister(s, instruction.Op0Register, offset);
    }

    /// <summary>ARPL (protected mode, not 64-bit): raises the destination selector's RPL to the source's.</summary>
    private static void AdjustRpl(Processor cpu, in Instruction instruction)
    {
        CpuState s = cpu.State;
        RequireProtected(s);
        ushort destination = (ushort)Operands.ReadOperand(cpu, instruction, 0);
        ushort source = (ushort)Operands.ReadRegister(s, instruction.Op1Register);
        bool adjust = (destination & 3) < (source & 3);
        if (adjust)
        {
            Operands.WriteOperand(cpu, instruction, 0, (ulong)((destination & ~3) | (source & 3)));
        }

        s.Rflags = (s.Rflags & ~SystemFlags.Zero) | (adjust ? SystemFlags.Zero : 0);
    }
}
