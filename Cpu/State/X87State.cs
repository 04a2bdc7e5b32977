namespace Cpu.State;

/// <summary>
/// The x87 FPU state (Intel SDM Vol. 1, 8.1): eight 80-bit data registers addressed as a stack from TOP,
/// the control, status and tag words, and the last instruction and data pointers. The MMX registers
/// MM0-MM7 are the significands of the physical registers R0-R7 (SDM 9.2.1).
/// </summary>
public sealed class X87State
{
    /// <summary>FCW after FNINIT: all exceptions masked, 64-bit precision, round to nearest.</summary>
    public const ushort InitialControl = 0x037F;

    /// <summary>FCW at power-up (SDM Table 9-1).</summary>
    public const ushort PowerUpControl = 0x0040;

    public const int TopShift = 11;
    public const ushort TopMask = 7 << TopShift;

    /// <summary>Two-bit tags (SDM 8.1.7).</summary>
    public const int TagValid = 0;
    public const int TagZero = 1;
    public const int TagSpecial = 2;
    public const int TagEmpty = 3;

    /// <summary>The tag word with every register empty (FNINIT, EMMS).</summary>
    public const ushort AllEmpty = 0xFFFF;

    /// <summary>The physical registers R0-R7 (not in stack order).</summary>
    public readonly Float80[] Registers = new Float80[8];

    public ushort Control = PowerUpControl;

    public ushort Status;

    /// <summary>The full tag word, two bits per physical register.</summary>
    public ushort Tag = 0x5555;

    /// <summary>The last non-control instruction's opcode (11 bits).</summary>
    public ushort Opcode;

    public ulong InstructionPointer;
    public ushort CodeSelector;
    public ulong DataPointer;
    public ushort DataSelector;

    public int Top
    {
        get => (Status >> TopShift) & 7;
        set => Status = (ushort)((Status & ~TopMask) | ((value & 7) << TopShift));
    }

    /// <summary>The physical register of ST(<paramref name="i"/>).</summary>
    public int Physical(int i) => (Top + i) & 7;

    public int TagOf(int physical) => (Tag >> (2 * physical)) & 3;

    public void SetTag(int physical, int tag) =>
        Tag = (ushort)((Tag & ~(3 << (2 * physical))) | ((tag & 3) << (2 * physical)));

    /// <summary>Writes a physical register and tags it by its contents.</summary>
    public void Set(int physical, Float80 value)
    {
        Registers[physical] = value;
        SetTag(physical, Classify(value));
    }

    /// <summary>The tag a register's contents imply when it is not empty.</summary>
    public static int Classify(Float80 v) => v.IsZero ? TagZero : v.IsSpecial ? TagSpecial : TagValid;

    /// <summary>The abridged tag byte of FXSAVE: one bit per physical register, set when not empty (SDM 10.5.1.1).</summary>
    public byte AbridgedTag()
    {
        int b = 0;
        for (int i = 0; i < 8; i++)
        {
            if (TagOf(i) != TagEmpty)
            {
                b |= 1 << i;
            }
        }

        return (byte)b;
    }

    /// <summary>Rebuilds the full tag word from an abridged tag byte and the registers' contents (FXRSTOR).</summary>
    public void SetAbridgedTag(byte abridged)
    {
        ushort tag = 0;
        for (int i = 0; i < 8; i++)
        {
            int t = (abridged & (1 << i)) == 0 ? TagEmpty : Classify(Registers[i]);
            tag |= (ushort)(t << (2 * i));
        }

        Tag = tag;
    }

    /// <summary>FNINIT (SDM FINIT/FNINIT): default control word, status clear, all registers empty, pointers zero.</summary>
    public void Initialize()
    {
        Control = InitialControl;
        Status = 0;
        Tag = AllEmpty;
        Opcode = 0;
        InstructionPointer = 0;
        CodeSelector = 0;
        DataPointer = 0;
        DataSelector = 0;
    }
}
