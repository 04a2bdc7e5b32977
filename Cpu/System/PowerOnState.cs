using Cpu.State;

namespace Cpu.System;

/// <summary>
/// The register values a processor holds after power-up or RESET (Intel SDM Vol. 3A, 10.1.1, Table 10-1):
/// real mode at CS:IP F000:FFF0 with CS's base FFFF0000, caches off (CR0 60000010H), descriptor-table
/// limits FFFFH, EDX the CPUID signature, the x87 and SSE state at their power-up values.
/// </summary>
public static class PowerOnState
{
    public const ulong Cr0 = 0x6000_0010;
    public const ulong ResetIp = 0xFFF0;
    public const ulong ResetCodeBase = 0xFFFF_0000;
    public const ushort ResetCodeSelector = 0xF000;

    /// <summary>Present, read/write (data) or execute/read (code), accessed: the reset descriptor caches.</summary>
    private const ushort DataAttributes = 0x93;
    private const ushort CodeAttributes = 0x9B;

    public static void Apply(CpuState s)
    {
        Array.Clear(s.Gpr);
        s.Gpr[GprIndex.Rdx] = CpuIdentification.Signature;
        s.Rip = ResetIp;
        s.Rflags = Rflag.Reserved1;
        s.Cr0 = Cr0;
        s.Cr2 = 0;
        s.Cr3 = 0;
        s.Cr4 = 0;
        s.Efer = 0;
        s.Xcr0 = 1;
        for (int i = 0; i < s.Segments.Length; i++)
        {
            s.Segments[i] = new SegmentRegister { Limit = 0xFFFF, Attributes = DataAttributes };
        }

        s.Segments[SegmentIndex.Cs] = new SegmentRegister { Selector = ResetCodeSelector, Base = ResetCodeBase, Limit = 0xFFFF, Attributes = CodeAttributes };
        s.GdtrBase = 0;
        s.GdtrLimit = 0xFFFF;
        s.IdtrBase = 0;
        s.IdtrLimit = 0xFFFF;
        s.Ldtr = new SegmentRegister { Limit = 0xFFFF, Attributes = 0x82 };
        s.Tr = new SegmentRegister { Limit = 0xFFFF, Attributes = 0x8B };
        Array.Clear(s.Xmm);
        s.Mxcsr = MxcsrBits.Initial;
        X87State x87 = s.X87;
        x87.Initialize();
        x87.Control = X87State.PowerUpControl;
        x87.Tag = 0x5555; // +0.0 in every register, tagged zero (Table 10-1)
        Array.Clear(x87.Registers);
    }
}
