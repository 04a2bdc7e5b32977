using Cpu.Debug;
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
public static class SystemInstructions
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

    /// <summary>
    /// The I/O permission check of IN/OUT/INS/OUTS (Intel SDM 19.5: CPL &lt;= IOPL, else the TSS bitmap).
    /// Throws #GP(0) when the access is denied; an allowed access is shown to the guest's I/O breakpoints.
    /// </summary>
    public static void CheckIoPermission(Processor cpu, ushort port, int size)
    {
        CpuState s = cpu.State;
        if (ProcessorMode.IsProtected(s) && s.Cpl > SystemFlags.IoplOf(s.Rflags) && !TaskStateSegment.IoBitmapAllows(cpu, port, size))
        {
            throw CpuException.GeneralProtection(0);
        }

        if (cpu.GuestDebug.IoSlots != 0 && cpu.GuestDebug.ObservePort(port, size))
        {
            cpu.EndBlock();
        }
    }

    /// <summary>IN: the permission check, then a read of <paramref name="size"/> bytes from <paramref name="port"/>.</summary>
    public static uint PortIn(Processor cpu, ushort port, int size)
    {
        CheckIoPermission(cpu, port, size);
        return cpu.Ports.In(port, size);
    }

    /// <summary>OUT: the permission check, then a write of <paramref name="size"/> bytes to <paramref name="port"/>.</summary>
    public static void PortOut(Processor cpu, ushort port, int size, uint value)
    {
        CheckIoPermission(cpu, port, size);
        cpu.Ports.Out(port, size, value);
    }

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
