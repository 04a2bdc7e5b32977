using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using Cpu.Execution;
using Cpu.Semantics;
using Cpu.State;
using Iced.Intel;

namespace Cpu.System;

/// <summary>
/// Saving and restoring the x87 and SSE state: FXSAVE/FXRSTOR (Intel SDM Vol. 2A FXSAVE, Tables 3-43,
/// 3-46, 3-47), XSAVE/XSAVEOPT/XSAVEC/XRSTOR for state components 0 and 1 (SDM Vol. 1, chapter 13),
/// LDMXCSR/STMXCSR, and XGETBV/XSETBV. Every instruction reads or probes its whole memory area before
/// changing any state, so a fault leaves the processor as it was.
/// </summary>
public static class ExtendedState
{
    /// <summary>XCR0 / XSTATE_BV bit of the x87 state.</summary>
    public const ulong X87Component = 1;

    /// <summary>XCR0 / XSTATE_BV bit of the SSE state (XMM registers and MXCSR).</summary>
    public const ulong SseComponent = 2;

    /// <summary>The legacy region shared by FXSAVE and XSAVE (SDM 13.4.1).</summary>
    public const int LegacySize = 512;

    /// <summary>The XSAVE header follows the legacy region (SDM 13.4.2).</summary>
    public const int HeaderSize = 64;

    /// <summary>An XSAVE area holding the two components this processor has, in either format.</summary>
    public const int XsaveSize = LegacySize + HeaderSize;

    /// <summary>XCR0 / XSTATE_BV bit of the PKRU state (component 9: PKRU and 4 reserved bytes, SDM 13.5.7).</summary>
    public const ulong PkruComponent = 1UL << 9;

    /// <summary>Where PKRU lives in the standard format (CPUID.(EAX=0DH,ECX=9):EBX), and its size.</summary>
    public const int PkruOffset = 2688;
    public const int PkruSize = 8;

    /// <summary>XCOMP_BV bit 63: the area is in the compacted format.</summary>
    public const ulong CompactedFormat = 1UL << 63;

    private const int MxcsrOffset = 24;
    private const int MxcsrMaskOffset = 28;
    private const int StOffset = 32;
    private const int XmmOffset = 160;

    /// <summary>The state components XCR0 may enable.</summary>
    public static ulong SupportedXcr0(CpuFeatures f) =>
        (f & CpuFeatures.Xsave) == 0 ? 0 : X87Component | SseComponent | ((f & CpuFeatures.Pku) != 0 ? PkruComponent : 0);

    /// <summary>The size of an XSAVE area for the components in <paramref name="xcr0"/>: standard or compacted format.</summary>
    public static int AreaSize(ulong xcr0, bool compacted) =>
        (xcr0 & PkruComponent) == 0 ? XsaveSize : (compacted ? XsaveSize : PkruOffset) + PkruSize;

    // The instructions, each declared once in SseInstructionForms. A 64 suffix (REX.W) selects the 64-bit
    // layout of the x87 instruction and data pointers.

    /// <summary>FXSAVE, FXSAVE64.</summary>
    public static void Fxsave(Processor cpu, ref Instruction ins)
    {
        RequireFxsr(cpu);
        FxSave(cpu, Area(cpu, ins, 16), ins.Mnemonic == Mnemonic.Fxsave64);
    }

    /// <summary>FXRSTOR, FXRSTOR64.</summary>
    public static void Fxrstor(Processor cpu, ref Instruction ins)
    {
        RequireFxsr(cpu);
        FxRestore(cpu, Area(cpu, ins, 16), ins.Mnemonic == Mnemonic.Fxrstor64);
    }

    /// <summary>XSAVE, XSAVE64, XSAVEOPT, XSAVEOPT64 (XSAVEOPT may skip unmodified components; saving them is allowed).</summary>
    public static void Xsave(Processor cpu, ref Instruction ins)
    {
        RequireXsave(cpu);
        XSave(cpu, Area(cpu, ins, 64), ins.Mnemonic is Mnemonic.Xsave64 or Mnemonic.Xsaveopt64, compacted: false);
    }

    /// <summary>XSAVEC, XSAVEC64.</summary>
    public static void Xsavec(Processor cpu, ref Instruction ins)
    {
        RequireXsave(cpu);
        XSave(cpu, Area(cpu, ins, 64), ins.Mnemonic == Mnemonic.Xsavec64, compacted: true);
    }

    /// <summary>XRSTOR, XRSTOR64.</summary>
    public static void Xrstor(Processor cpu, ref Instruction ins)
    {
        RequireXsave(cpu);
        XRestor(cpu, Area(cpu, ins, 64), ins.Mnemonic == Mnemonic.Xrstor64);
    }

    /// <summary>LDMXCSR.</summary>
    public static void Ldmxcsr(Processor cpu, ref Instruction ins)
    {
        RequireSse(cpu);
        uint value = (uint)Operands.ReadMemory(cpu, Operands.EffectiveAddress(cpu, ins), 4);
        cpu.State.Mxcsr = CheckedMxcsr(value);
    }

    /// <summary>STMXCSR.</summary>
    public static void Stmxcsr(Processor cpu, ref Instruction ins)
    {
        RequireSse(cpu);
        Operands.WriteMemory(cpu, Operands.EffectiveAddress(cpu, ins), 4, cpu.State.Mxcsr);
    }

    /// <summary>XGETBV (SDM Vol. 2C): ECX = 0 reads XCR0; XINUSE (ECX = 1) is not reported, so it and every other index #GP.</summary>
    public static ulong GetExtendedControl(Processor cpu, uint index)
    {
        if ((cpu.State.Cr4 & ControlRegisters.Cr4Osxsave) == 0)
        {
            throw CpuException.InvalidOpcode();
        }

        return index == 0 ? cpu.State.Xcr0 : throw CpuException.GeneralProtection(0);
    }

    /// <summary>XSETBV: CPL 0, ECX = 0, bit 0 set, only supported components.</summary>
    public static void SetExtendedControl(Processor cpu, uint index, ulong value)
    {
        CpuState s = cpu.State;
        if ((s.Cr4 & ControlRegisters.Cr4Osxsave) == 0)
        {
            throw CpuException.InvalidOpcode();
        }

        if ((ProcessorMode.IsProtected(s) && s.Cpl != 0) || index != 0 || (value & X87Component) == 0 ||
            (value & ~SupportedXcr0(cpu.SystemRegisters.Features)) != 0)
        {
            throw CpuException.GeneralProtection(0);
        }

        s.Xcr0 = value;
    }

    /// <summary>#UD when CR0.EM is set, #NM when CR0.TS is set: the checks FXSAVE and FXRSTOR make.</summary>
    private static void RequireFxsr(Processor cpu)
    {
        if ((cpu.SystemRegisters.Features & CpuFeatures.Fxsr) == 0)
        {
            throw CpuException.InvalidOpcode();
        }

        ulong cr0 = cpu.State.Cr0;
        if ((cr0 & (ControlRegisters.Cr0Ts | ControlRegisters.Cr0Em)) != 0)
        {
            throw CpuException.DeviceNotAvailable();
        }
    }

    private static void RequireXsave(Processor cpu)
    {
        if ((cpu.State.Cr4 & ControlRegisters.Cr4Osxsave) == 0)
        {
            throw CpuException.InvalidOpcode();
        }

        if ((cpu.State.Cr0 & ControlRegisters.Cr0Ts) != 0)
        {
            throw CpuException.DeviceNotAvailable();
        }
    }

    /// <summary>The checks of every SSE instruction (SDM Vol. 3, 13.1.3): #UD without CR4.OSFXSR or with CR0.EM, #NM with CR0.TS.</summary>
    public static void RequireSse(Processor cpu)
    {
        CpuState s = cpu.State;
        if ((cpu.SystemRegisters.Features & CpuFeatures.SseState) == 0 || (s.Cr4 & ControlRegisters.Cr4Osfxsr) == 0 ||
            (s.Cr0 & ControlRegisters.Cr0Em) != 0)
        {
            throw CpuException.InvalidOpcode();
        }

        if ((s.Cr0 & ControlRegisters.Cr0Ts) != 0)
        {
            throw CpuException.DeviceNotAvailable();
        }
    }

    /// <summary>The linear address of a save area, which must be <paramref name="alignment"/>-aligned (#GP(0) otherwise).</summary>
    private static ulong Area(Processor cpu, in Instruction ins, int alignment)
    {
        ulong address = Operands.EffectiveAddress(cpu, ins);
        if ((address & (ulong)(alignment - 1)) != 0)
        {
            throw CpuException.GeneralProtection(0);
        }

        return address;
    }

    private static uint CheckedMxcsr(uint value) =>
        (value & ~MxcsrBits.Writable) == 0 ? value : throw CpuException.GeneralProtection(0);

    private static int XmmCount(Processor cpu) => cpu.Bitness == 64 ? 16 : 8;

    /// <summary>Writes the FXSAVE image of the state (<see cref="LegacySize"/> bytes; 64-bit pointers when <paramref name="wide"/>).</summary>
    public static void StoreImage(CpuState s, Span<byte> area, bool wide = true, int xmmCount = 16)
    {
        StoreX87(s, area, wide);
        StoreMxcsr(s, area);
        StoreXmm(s, area, xmmCount);
    }

    /// <summary>Loads the state from an FXSAVE image; #GP(0) (before any change) when its MXCSR has reserved bits set.</summary>
    public static void LoadImage(CpuState s, ReadOnlySpan<byte> area, bool wide = true, int xmmCount = 16)
    {
        uint mxcsr = CheckedMxcsr(BinaryPrimitives.ReadUInt32LittleEndian(area[MxcsrOffset..]));
        LoadX87(s, area, wide);
        s.Mxcsr = mxcsr;
        LoadXmm(s, area, xmmCount);
    }

    private static void FxSave(Processor cpu, ulong address, bool wide)
    {
        Span<byte> area = stackalloc byte[LegacySize];
        ReadArea(cpu, address, area);
        StoreImage(cpu.State, area, wide, XmmCount(cpu));
        WriteArea(cpu, address, area);
    }

    private static void FxRestore(Processor cpu, ulong address, bool wide)
    {
        Span<byte> area = stackalloc byte[LegacySize];
        ReadArea(cpu, address, area);
        LoadImage(cpu.State, area, wide, XmmCount(cpu));
    }

    /// <summary>
    /// XSAVE, XSAVEOPT and XSAVEC. Both components are treated as always in use (SDM 13.6 lets a
    /// processor track XINUSE[i] = 1 at any time), so XSAVEOPT saves what XSAVE saves.
    /// </summary>
    private static void XSave(Processor cpu, ulong address, bool wide, bool compacted)
    {
        CpuState s = cpu.State;
        ulong rfbm = RequestedFeatures(s);
        Span<byte> area = stackalloc byte[XsaveSize];
        ReadArea(cpu, address, area);
        if ((rfbm & X87Component) != 0)
        {
            StoreX87(s, area, wide);
        }

        if ((rfbm & SseComponent) != 0)
        {
            StoreMxcsr(s, area);
            StoreXmm(s, area, XmmCount(cpu));
        }

        Span<byte> header = area[LegacySize..];
        ulong xstate = BinaryPrimitives.ReadUInt64LittleEndian(header);
        if (compacted)
        {
            // XSAVEC writes the whole header: XSTATE_BV = XINUSE & RFBM, XCOMP_BV = bit 63 | RFBM, the rest zero.
            header.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(header, rfbm);
            BinaryPrimitives.WriteUInt64LittleEndian(header[8..], CompactedFormat | rfbm);
        }
        else
        {
            // XSAVE writes only the RFBM bits of XSTATE_BV.
            BinaryPrimitives.WriteUInt64LittleEndian(header, (xstate & ~rfbm) | rfbm);
        }

        ulong pkruAt = address + (ulong)(compacted ? XsaveSize : PkruOffset);
        if ((rfbm & PkruComponent) != 0)
        {
            cpu.Memory.ProbeWrite(pkruAt, PkruSize);
        }

        WriteArea(cpu, address, area);
        if ((rfbm & PkruComponent) != 0)
        {
            Operands.WriteMemory(cpu, pkruAt, 8, cpu.Memory.Pkru);
        }
    }

    /// <summary>XRSTOR in the standard or compacted form (SDM 13.8), with the header checks that make it #GP.</summary>
    private static void XRestor(Processor cpu, ulong address, bool wide)
    {
        CpuState s = cpu.State;
        ulong rfbm = RequestedFeatures(s);
        Span<byte> area = stackalloc byte[XsaveSize];
        ReadArea(cpu, address, area);
        ReadOnlySpan<byte> header = area[LegacySize..];
        ulong xstate = BinaryPrimitives.ReadUInt64LittleEndian(header);
        ulong xcomp = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        bool compacted = (xcomp & CompactedFormat) != 0;
        if (compacted)
        {
            ulong components = xcomp & ~CompactedFormat;
            Require((components & ~s.Xcr0) == 0 && (xstate & ~components) == 0 && IsZero(header[16..]));
        }
        else
        {
            Require((xstate & ~s.Xcr0) == 0 && IsZero(header[8..]));
        }

        bool loadMxcsr = compacted ? (rfbm & xstate & SseComponent) != 0 : (rfbm & SseComponent) != 0;
        uint mxcsr = loadMxcsr ? CheckedMxcsr(BinaryPrimitives.ReadUInt32LittleEndian(area[MxcsrOffset..])) : s.Mxcsr;
        if ((rfbm & X87Component) != 0)
        {
            if ((xstate & X87Component) != 0)
            {
                LoadX87(s, area, wide);
            }
            else
            {
                InitializeX87(s);
            }
        }

        if ((rfbm & SseComponent) != 0)
        {
            if ((xstate & SseComponent) != 0)
            {
                LoadXmm(s, area, XmmCount(cpu));
            }
            else
            {
                Array.Clear(s.Xmm);
                if (compacted)
                {
                    mxcsr = MxcsrBits.Initial;
                }
            }
        }

        uint pkru = cpu.Memory.Pkru;
        if ((rfbm & PkruComponent) != 0)
        {
            // The compacted format puts PKRU right after the header (the only component there); absent means its initial 0.
            bool present = (xstate & PkruComponent) != 0;
            pkru = present ? (uint)Operands.ReadMemory(cpu, address + (ulong)(compacted ? XsaveSize : PkruOffset), 4) : 0;
        }

        s.Mxcsr = mxcsr;
        cpu.Memory.SetPkru(pkru);
    }

    /// <summary>RFBM: EDX:EAX masked by XCR0.</summary>
    private static ulong RequestedFeatures(CpuState s) => (((ulong)(uint)s.Gpr[2] << 32) | (uint)s.Gpr[0]) & s.Xcr0;

    /// <summary>The x87 state's initial configuration (SDM 13.6): FNINIT's and zeroed data registers.</summary>
    private static void InitializeX87(CpuState s)
    {
        s.X87.Initialize();
        Array.Clear(s.X87.Registers);
    }

    private static void StoreX87(CpuState s, Span<byte> area, bool wide)
    {
        X87State x = s.X87;
        BinaryPrimitives.WriteUInt16LittleEndian(area, x.Control);
        BinaryPrimitives.WriteUInt16LittleEndian(area[2..], x.Status);
        area[4] = x.AbridgedTag();
        area[5] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(area[6..], (ushort)(x.Opcode & 0x7FF));
        if (wide)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(area[8..], x.InstructionPointer);
            BinaryPrimitives.WriteUInt64LittleEndian(area[16..], x.DataPointer);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(area[8..], (uint)x.InstructionPointer);
            BinaryPrimitives.WriteUInt32LittleEndian(area[12..], x.CodeSelector);
            BinaryPrimitives.WriteUInt32LittleEndian(area[16..], (uint)x.DataPointer);
            BinaryPrimitives.WriteUInt32LittleEndian(area[20..], x.DataSelector);
        }

        for (int i = 0; i < 8; i++)
        {
            Span<byte> slot = area.Slice(StOffset + (16 * i), 16);
            Float80 v = x.Registers[x.Physical(i)];
            BinaryPrimitives.WriteUInt64LittleEndian(slot, v.Significand);
            BinaryPrimitives.WriteUInt16LittleEndian(slot[8..], v.SignExponent);
            slot[10..].Clear();
        }
    }

    private static void LoadX87(CpuState s, ReadOnlySpan<byte> area, bool wide)
    {
        X87State x = s.X87;
        x.Control = BinaryPrimitives.ReadUInt16LittleEndian(area);
        x.Status = BinaryPrimitives.ReadUInt16LittleEndian(area[2..]);
        x.Opcode = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(area[6..]) & 0x7FF);
        if (wide)
        {
            x.InstructionPointer = BinaryPrimitives.ReadUInt64LittleEndian(area[8..]);
            x.DataPointer = BinaryPrimitives.ReadUInt64LittleEndian(area[16..]);
            x.CodeSelector = 0;
            x.DataSelector = 0;
        }
        else
        {
            x.InstructionPointer = BinaryPrimitives.ReadUInt32LittleEndian(area[8..]);
            x.CodeSelector = BinaryPrimitives.ReadUInt16LittleEndian(area[12..]);
            x.DataPointer = BinaryPrimitives.ReadUInt32LittleEndian(area[16..]);
            x.DataSelector = BinaryPrimitives.ReadUInt16LittleEndian(area[20..]);
        }

        // The registers are stored in stack order from the new TOP.
        for (int i = 0; i < 8; i++)
        {
            ReadOnlySpan<byte> slot = area.Slice(StOffset + (16 * i), 10);
            x.Registers[x.Physical(i)] = new Float80(BinaryPrimitives.ReadUInt64LittleEndian(slot), BinaryPrimitives.ReadUInt16LittleEndian(slot[8..]));
        }

        x.SetAbridgedTag(area[4]);
    }

    private static void StoreMxcsr(CpuState s, Span<byte> area)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(area[MxcsrOffset..], s.Mxcsr);
        BinaryPrimitives.WriteUInt32LittleEndian(area[MxcsrMaskOffset..], MxcsrBits.Writable);
    }

    private static void StoreXmm(CpuState s, Span<byte> area, int count)
    {
        for (int i = 0; i < count; i++)
        {
            s.Xmm[i].AsByte().CopyTo(area.Slice(XmmOffset + (16 * i), 16));
        }
    }

    private static void LoadXmm(CpuState s, ReadOnlySpan<byte> area, int count)
    {
        for (int i = 0; i < count; i++)
        {
            s.Xmm[i] = Vector128.Create(area.Slice(XmmOffset + (16 * i), 16)).AsUInt64();
        }
    }

    /// <summary>Reads an area (also the parts that are written back unchanged, so a fault comes before any change).</summary>
    private static void ReadArea(Processor cpu, ulong address, Span<byte> area)
    {
        for (int i = 0; i < area.Length; i += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(area[i..], Operands.ReadMemory(cpu, address + (ulong)i, 8));
        }
    }

    private static void WriteArea(Processor cpu, ulong address, ReadOnlySpan<byte> area)
    {
        cpu.Memory.ProbeWrite(address, area.Length);
        for (int i = 0; i < area.Length; i += 8)
        {
            Operands.WriteMemory(cpu, address + (ulong)i, 8, BinaryPrimitives.ReadUInt64LittleEndian(area[i..]));
        }
    }

    private static bool IsZero(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExcept((byte)0);

    private static void Require(bool valid)
    {
        if (!valid)
        {
            throw CpuException.GeneralProtection(0);
        }
    }
}
