using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cpu.State;

/// <summary>
/// The architectural state of one x86-64 processor. The machine sets it for boot (for example the
/// multiboot entry state); the interpreter and the JIT read and write it.
/// </summary>
/// <remarks>
/// The status flags are lazy (DESIGN.md section 3): flag-setting instructions record their operation,
/// operands, result and size in the <c>Lazy*</c> fields, and a flag is computed only when read.
/// <see cref="Rflags"/> is always the full, correct register.
/// </remarks>
public sealed class CpuState
{
    /// <summary>RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15, in encoding order.</summary>
    public readonly ulong[] Gpr = new ulong[16];

    /// <summary>ES, CS, SS, DS, FS, GS, in encoding order (see <see cref="SegmentIndex"/>).</summary>
    public readonly SegmentRegister[] Segments = new SegmentRegister[6];

    public ulong Rip;

    public SegmentRegister Ldtr;
    public SegmentRegister Tr;
    public ulong GdtrBase;
    public ulong IdtrBase;
    public ushort GdtrLimit;
    public ushort IdtrLimit;

    public ulong Cr0;
    public ulong Cr2;
    public ulong Cr3;
    public ulong Cr4;
    public ulong Efer;

    /// <summary>XCR0, the enabled XSAVE state components (bit 0, x87, is always set).</summary>
    public ulong Xcr0 = 1;

    /// <summary>The x87 FPU (and, aliased on its registers, MMX) state.</summary>
    public readonly X87State X87 = new();

    /// <summary>XMM0-XMM15.</summary>
    public readonly Vector128<ulong>[] Xmm = new Vector128<ulong>[16];

    /// <summary>MXCSR (SDM Vol. 1, 10.2.3): all exceptions masked, round to nearest at reset.</summary>
    public uint Mxcsr = MxcsrBits.Initial;

    /// <summary>RFLAGS except, while <see cref="LazyOp"/> is not <see cref="FlagOp.None"/>, the six status flags.</summary>
    public ulong FlagBits = Rflag.Reserved1;

    /// <summary>The last flag-setting operation, or <see cref="FlagOp.None"/> when the flags are in <see cref="FlagBits"/>.</summary>
    public FlagOp LazyOp;

    /// <summary>Operand size in bytes (1, 2, 4, 8) of the recorded operation.</summary>
    public int LazySize = 8;

    /// <summary>First operand (destination value before the operation), masked to the operand size.</summary>
    public ulong LazyA;

    /// <summary>Second operand, masked to the operand size.</summary>
    public ulong LazyB;

    /// <summary>Result, masked to the operand size.</summary>
    public ulong LazyResult;

    /// <summary>Carry-in of ADC/SBB, or the preserved CF of INC/DEC (0 or 1).</summary>
    public ulong LazyCarry;

    /// <summary>The full RFLAGS. The lazy-flag machinery keeps it current when read and applies it when written.</summary>
    public ulong Rflags
    {
        get => LazyOp == FlagOp.None ? FlagBits : (FlagBits & ~Rflag.Arithmetic) | ComputeArithmeticFlags();
        set
        {
            FlagBits = (value & Rflag.Writable) | Rflag.Reserved1;
            LazyOp = FlagOp.None;
        }
    }

    /// <summary>The current privilege level (CS.RPL outside real mode).</summary>
    public int Cpl => Segments[SegmentIndex.Cs].Selector & 3;

    /// <summary>Records a flag-setting operation; the flags are computed when read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetLazy(FlagOp op, ulong a, ulong b, ulong result, int size)
    {
        LazyOp = op;
        LazyA = a;
        LazyB = b;
        LazyResult = result;
        LazySize = size;
    }

    /// <summary>Makes <see cref="FlagBits"/> hold all the flags (before changing some of them directly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MaterializeFlags()
    {
        if (LazyOp != FlagOp.None)
        {
            FlagBits = (FlagBits & ~Rflag.Arithmetic) | ComputeArithmeticFlags();
            LazyOp = FlagOp.None;
        }
    }

    /// <summary>Replaces the six status flags with <paramref name="arithmetic"/> (bits of <see cref="Rflag.Arithmetic"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetArithmeticFlags(ulong arithmetic)
    {
        FlagBits = (FlagBits & ~Rflag.Arithmetic) | (arithmetic & Rflag.Arithmetic);
        LazyOp = FlagOp.None;
    }

    /// <summary>Replaces the flags selected by <paramref name="mask"/> and keeps the others.</summary>
    public void SetFlags(ulong mask, ulong values)
    {
        MaterializeFlags();
        FlagBits = (FlagBits & ~mask) | (values & mask);
    }

    public bool CF
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            ulong a = LazyA, b = LazyB, r = LazyResult;
            switch (LazyOp)
            {
                case FlagOp.None: return (FlagBits & Rflag.CF) != 0;
                case FlagOp.Add: return r < a;
                case FlagOp.Adc: return LazyCarry != 0 ? r <= a : r < a;
                case FlagOp.Sub: return a < b;
                case FlagOp.Sbb: return LazyCarry != 0 ? a <= b : a < b;
                case FlagOp.Logic: return false;
                default: return LazyCarry != 0;
            }
        }
    }

    public bool ZF
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => LazyOp == FlagOp.None ? (FlagBits & Rflag.ZF) != 0 : LazyResult == 0;
    }

    public bool SF
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => LazyOp == FlagOp.None ? (FlagBits & Rflag.SF) != 0 : ((LazyResult >> ((LazySize * 8) - 1)) & 1) != 0;
    }

    public bool OF
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            ulong a = LazyA, b = LazyB, r = LazyResult;
            int shift = (LazySize * 8) - 1;
            switch (LazyOp)
            {
                case FlagOp.None: return (FlagBits & Rflag.OF) != 0;
                case FlagOp.Add:
                case FlagOp.Adc:
                case FlagOp.Inc:
                    return ((((a ^ r) & (b ^ r)) >> shift) & 1) != 0;
                case FlagOp.Sub:
                case FlagOp.Sbb:
                case FlagOp.Dec:
                    return ((((a ^ b) & (a ^ r)) >> shift) & 1) != 0;
                case FlagOp.Mul: return LazyCarry != 0;
                default: return false;
            }
        }
    }

    public bool PF
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => LazyOp == FlagOp.None ? (FlagBits & Rflag.PF) != 0 : (BitOperations.PopCount(LazyResult & 0xFF) & 1) == 0;
    }

    public bool AF
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => LazyOp switch
        {
            FlagOp.None => (FlagBits & Rflag.AF) != 0,
            FlagOp.Logic or FlagOp.Mul => false,
            _ => ((LazyA ^ LazyB ^ LazyResult) & 0x10) != 0,
        };
    }

    public bool DF => (FlagBits & Rflag.DF) != 0;

    public bool IF => (FlagBits & Rflag.IF) != 0;

    /// <summary>The I/O privilege level, RFLAGS bits 12-13.</summary>
    public int Iopl => (int)(FlagBits >> 12) & 3;

    private ulong ComputeArithmeticFlags()
    {
        ulong f = 0;
        if (CF)
        {
            f |= Rflag.CF;
        }

        if (PF)
        {
            f |= Rflag.PF;
        }

        if (AF)
        {
            f |= Rflag.AF;
        }

        if (ZF)
        {
            f |= Rflag.ZF;
        }

        if (SF)
        {
            f |= Rflag.SF;
        }

        if (OF)
        {
            f |= Rflag.OF;
        }

        return f;
    }
}
