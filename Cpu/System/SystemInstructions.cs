using Cpu.Execution;
using Cpu.Semantics;
using Cpu.State;
using Iced.Intel;

namespace Cpu.System;

/// <summary>
/// The system instructions (descriptor tables, segment loads, far transfers, IRET, INT n, SYSCALL/SYSRET,
/// MSRs, control and debug registers, CPUID, time-stamp and performance counters, I/O permission).
/// The interpreter calls <see cref="Execute"/> for every system mnemonic with RIP already past the
/// instruction; a fault is thrown as <see cref="CpuException"/> before any state changed.
/// </summary>
public static partial class SystemInstructions
{
    private const int Rax = 0;
    private const int Rcx = 1;
    private const int Rdx = 2;

    /// <summary>Executes one system instruction. RIP already points past it; throw <see cref="CpuException"/> to fault.</summary>
    public static void Execute(Processor cpu, in Instruction instruction)
    {
        CpuState s = cpu.State;
        switch (instruction.Mnemonic)
        {
            case Mnemonic.Iret:
                InterruptReturn.Execute(cpu, 2);
                break;
            case Mnemonic.Iretd:
                InterruptReturn.Execute(cpu, 4);
                break;
            case Mnemonic.Iretq:
                InterruptReturn.Execute(cpu, 8);
                break;
            case Mnemonic.Int:
                InterruptDelivery.DeliverOnce(cpu, instruction.Immediate8, null, software: true);
                break;
            case Mnemonic.Int3:
                InterruptDelivery.DeliverOnce(cpu, ExceptionVector.Breakpoint, null, software: true);
                break;
            case Mnemonic.Into:
                if (ProcessorMode.Is64Bit(s))
                {
                    throw CpuException.InvalidOpcode();
                }

                if ((s.Rflags & SystemFlags.Overflow) != 0)
                {
                    InterruptDelivery.DeliverOnce(cpu, ExceptionVector.Overflow, null, software: true);
                }

                break;
            case Mnemonic.Int1:
                // ICEBP raises #DB like a hardware event: no gate DPL check (SDM 6.12.1.1).
                InterruptDelivery.DeliverOnce(cpu, ExceptionVector.Debug, null, software: false);
                break;
            case Mnemonic.Syscall:
                FastSystemCalls.Syscall(cpu);
                break;
            case Mnemonic.Sysret:
                FastSystemCalls.Sysret(cpu, to64: false);
                break;
            case Mnemonic.Sysretq:
                FastSystemCalls.Sysret(cpu, to64: true);
                break;
            case Mnemonic.Swapgs:
                FastSystemCalls.Swapgs(cpu);
                break;
            case Mnemonic.Sysenter:
                FastSystemCalls.Sysenter(cpu);
                break;
            case Mnemonic.Sysexit or Mnemonic.Sysexitq:
                FastSystemCalls.Sysexit(cpu, instruction.Mnemonic == Mnemonic.Sysexitq);
                break;
            case Mnemonic.Rdmsr:
                {
                    RequireCpl0(s);
                    ulong value = cpu.SystemRegisters.Msr.Read(cpu, (uint)s.Gpr[Rcx]);
                    s.Gpr[Rax] = (uint)value;
                    s.Gpr[Rdx] = value >> 32;
                    break;
                }

            case Mnemonic.Wrmsr:
                RequireCpl0(s);
                cpu.SystemRegisters.Msr.Write(cpu, (uint)s.Gpr[Rcx], ((ulong)(uint)s.Gpr[Rdx] << 32) | (uint)s.Gpr[Rax]);
                break;
            case Mnemonic.Lgdt:
            case Mnemonic.Lidt:
                LoadDescriptorTableRegister(cpu, instruction);
                break;
            case Mnemonic.Sgdt:
            case Mnemonic.Sidt:
                StoreDescriptorTableRegister(cpu, instruction);
                break;
            case Mnemonic.Lldt:
                RequireProtected(s);
                RequireCpl0(s);
                LoadLdt(cpu, (ushort)Operands.ReadOperand(cpu, instruction, 0));
                break;
            case Mnemonic.Ltr:
                RequireProtected(s);
                RequireCpl0(s);
                LoadTaskRegister(cpu, (ushort)Operands.ReadOperand(cpu, instruction, 0));
                break;
            case Mnemonic.Sldt:
                RequireProtected(s);
                CheckUmip(s);
                Operands.WriteOperand(cpu, instruction, 0, s.Ldtr.Selector);
                break;
            case Mnemonic.Str:
                RequireProtected(s);
                CheckUmip(s);
                Operands.WriteOperand(cpu, instruction, 0, s.Tr.Selector);
                break;
            case Mnemonic.Smsw:
                CheckUmip(s);
                Operands.WriteOperand(cpu, instruction, 0, instruction.Op0Kind == OpKind.Register ? s.Cr0 : s.Cr0 & 0xFFFF);
                break;
            case Mnemonic.Lmsw:
                {
                    RequireCpl0(s);
                    ulong source = Operands.ReadOperand(cpu, instruction, 0) & 0xF;

                    // LMSW sets PE, MP, EM and TS but cannot clear PE (SDM LMSW).
                    ControlRegisters.WriteCr0(cpu, (s.Cr0 & ~0xEUL) | source | (s.Cr0 & 1));
                    break;
                }

            case Mnemonic.Clts:
                RequireCpl0(s);
                s.Cr0 &= ~ControlRegisters.Cr0Ts;
                cpu.Memory.SetPagingControls(s.Cr0, s.Cr4, s.Efer);
                break;
            case Mnemonic.Invlpg:
                {
                    RequireCpl0(s);

                    // A non-canonical address is a no-op (SDM Vol. 2A, INVLPG), not #GP.
                    ulong page = Operands.EffectiveLinearAddress(cpu, instruction);
                    if (!ProcessorMode.Is64Bit(s) || ProcessorMode.IsCanonical(page))
                    {
                        cpu.Memory.InvalidatePage(page);
                    }

                    break;
                }

            case Mnemonic.Invpcid:
                InvalidatePcid(cpu, instruction);
                break;
            case Mnemonic.Cpuid:
                {
                    (uint eax, uint ebx, uint ecx, uint edx) = CpuIdentification.Query(
                        cpu.SystemRegisters.Features, (uint)s.Gpr[Rax], (uint)s.Gpr[Rcx], s.Cr4, s.Xcr0, cpu.SystemRegisters.Apic?.GloballyEnabled ?? true);
                    s.Gpr[Rax] = eax;
                    s.Gpr[3] = ebx;
                    s.Gpr[Rcx] = ecx;
                    s.Gpr[Rdx] = edx;
                    break;
                }

            case Mnemonic.Rdtsc:
            case Mnemonic.Rdtscp:
                {
                    if ((s.Cr4 & ControlRegisters.Cr4Tsd) != 0)
                    {
                        RequireCpl0(s);
                    }

                    ulong tsc = cpu.SystemRegisters.Msr.ReadTsc(cpu);
                    s.Gpr[Rax] = (uint)tsc;
                    s.Gpr[Rdx] = tsc >> 32;
                    if (instruction.Mnemonic == Mnemonic.Rdtscp)
                    {
                        s.Gpr[Rcx] = (uint)cpu.SystemRegisters.Msr.TscAux;
                    }

                    break;
                }

            case Mnemonic.Rdpmc:
                ReadPerformanceCounter(cpu);
                break;
            case Mnemonic.Rdpid:
                // IA32_TSC_AUX into a 32-bit register (64-bit in 64-bit mode, zero-extended); any CPL, CR4.TSD aside (SDM Vol. 2B, RDPID).
                Operands.WriteRegister(s, instruction.Op0Register, (uint)cpu.SystemRegisters.Msr.TscAux);
                break;
            case Mnemonic.Retf:
                FarTransfers.Return(cpu, FarReturnSize(instruction.Code), instruction.OpCount == 1 ? instruction.Immediate16 : (ushort)0);
                break;
            case Mnemonic.Jmp:
            case Mnemonic.Call:
                FarBranch(cpu, instruction);
                break;
            case Mnemonic.Lar:
            case Mnemonic.Lsl:
            case Mnemonic.Verr:
            case Mnemonic.Verw:
                SegmentQueries.Execute(cpu, instruction);
                break;
            case Mnemonic.Wbinvd:
            case Mnemonic.Invd:
                // No caches are modelled: only the privilege check remains.
                RequireCpl0(s);
                break;
            case Mnemonic.Rdfsbase:
            case Mnemonic.Rdgsbase:
            case Mnemonic.Wrfsbase:
            case Mnemonic.Wrgsbase:
                SegmentBase(cpu, instruction);
                break;
            case Mnemonic.Lss:
            case Mnemonic.Lds:
            case Mnemonic.Les:
            case Mnemonic.Lfs:
            case Mnemonic.Lgs:
                LoadFarPointer(cpu, instruction);
                break;
            case Mnemonic.Arpl:
                AdjustRpl(cpu, instruction);
                break;
            case Mnemonic.Clac:
            case Mnemonic.Stac:
                if ((cpu.SystemRegisters.Features & CpuFeatures.Smap) == 0 || (ProcessorMode.IsProtected(s) && s.Cpl != 0))
                {
                    throw CpuException.InvalidOpcode();
                }

                InterruptReturn.SetFlags(cpu, instruction.Mnemonic == Mnemonic.Stac ? s.Rflags | SystemFlags.AlignmentCheck : s.Rflags & ~SystemFlags.AlignmentCheck);
                break;
            case Mnemonic.Mov:
                Move(cpu, instruction);
                break;
            case Mnemonic.Xgetbv:
                {
                    ulong value = ExtendedState.GetExtendedControl(cpu, (uint)s.Gpr[Rcx]);
                    s.Gpr[Rax] = (uint)value;
                    s.Gpr[Rdx] = value >> 32;
                    break;
                }

            case Mnemonic.Xsetbv:
                ExtendedState.SetExtendedControl(cpu, (uint)s.Gpr[Rcx], ((ulong)(uint)s.Gpr[Rdx] << 32) | (uint)s.Gpr[Rax]);
                break;

            // Not reported by CPUID: MONITOR/MWAIT, SMM, WBNOINVD.
            default:
                cpu.Counters.RecordUndefined(instruction.Mnemonic);
                throw CpuException.InvalidOpcode();
        }
    }

    /// <summary>
    /// Loads a segment register (MOV Sreg, POP Sreg) with the descriptor checks of the current mode.
    /// </summary>
    public static void LoadSegment(Processor cpu, int segment, ushort selector) => SegmentLoading.Load(cpu, segment, selector);

    /// <summary>#GP(0) unless CPL is 0 (always true in real mode).</summary>
    public static void RequireCpl0(CpuState s)
    {
        if (ProcessorMode.IsProtected(s) && s.Cpl != 0)
        {
            throw CpuException.GeneralProtection(0);
        }
    }

    /// <summary>The linear address of a memory operand; in 64-bit mode a non-canonical one is #GP(0).</summary>
    private static ulong OperandAddress(Processor cpu, in Instruction instruction)
    {
        ulong address = Operands.EffectiveAddress(cpu, instruction);
        if (ProcessorMode.Is64Bit(cpu.State) && !ProcessorMode.IsCanonical(address))
        {
            throw CpuException.GeneralProtection(0);
        }

        return address;
    }

    private static void RequireProtected(CpuState s)
    {
        if (!ProcessorMode.IsProtected(s))
        {
            throw CpuException.InvalidOpcode();
        }
    }

    /// <summary>CR4.UMIP forbids SGDT, SIDT, SLDT, SMSW and STR above CPL 0.</summary>
    private static void CheckUmip(CpuState s)
    {
        if ((s.Cr4 & ControlRegisters.Cr4Umip) != 0 && ProcessorMode.IsProtected(s) && s.Cpl != 0)
        {
            throw CpuException.GeneralProtection(0);
        }
    }
}
