using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// Builds one <see cref="DiffCase"/>: random registers, flags, data and stack from the test's seeded
/// generator, adjusted by the generator, then the snippet assembled at the snippet address.
/// </summary>
public sealed class CaseBuilder
{
    public CaseBuilder(Random rng)
    {
        Rng = rng;
        Gpr = OperandValues.RandomGprs(rng);
        Flags = OperandValues.Flags(rng);
        Data = OperandValues.RandomBytes(rng, HarnessLayout.DataSize);
        Stack = OperandValues.RandomBytes(rng, HarnessLayout.StackWindowSize);
    }

    public Random Rng { get; }

    public ulong[] Gpr { get; }

    public ulong Flags { get; set; }

    public byte[] Data { get; }

    public byte[] Stack { get; }

    public ulong UndefinedFlags { get; set; }

    public ulong[]? GprMask { get; private set; }

    /// <summary>Writes <paramref name="value"/> into a register of any size (AH..BH are bits 8-15; the rest of the register keeps its value).</summary>
    public void SetReg(Register reg, ulong value)
    {
        (int index, int shift, int bits) = Locate(reg);
        ulong mask = OperandValues.Mask(bits) << shift;
        Gpr[index] = (Gpr[index] & ~mask) | ((value << shift) & mask);
    }

    public ulong GetReg(Register reg)
    {
        (int index, int shift, int bits) = Locate(reg);
        return (Gpr[index] >> shift) & OperandValues.Mask(bits);
    }

    /// <summary>Marks bits of a register as undefined after the snippet (not compared).</summary>
    public void Undefine(Register reg, ulong bits = ulong.MaxValue)
    {
        GprMask ??= Enumerable.Repeat(ulong.MaxValue, 16).ToArray();
        GprMask[Locate(reg).Index] &= ~bits;
    }

    private readonly List<(ulong Address, int Length)> undefinedMemory = [];

    /// <summary>Marks memory whose final contents are undefined (not compared).</summary>
    public void UndefineMemory(ulong address, int length) => undefinedMemory.Add((address, length));

    /// <summary>Little-endian write into the data buffer or stack window at an absolute address.</summary>
    public void Write(ulong address, int size, ulong value)
    {
        for (int i = 0; i < size; i++)
        {
            Span(address + (ulong)i)[0] = (byte)(value >> (8 * i));
        }
    }

    public ulong Read(ulong address, int size)
    {
        ulong v = 0;
        for (int i = 0; i < size; i++)
        {
            v |= (ulong)Span(address + (ulong)i)[0] << (8 * i);
        }

        return v;
    }

    private Span<byte> Span(ulong address)
    {
        if (address - HarnessLayout.DataAddress < HarnessLayout.DataSize)
        {
            return Data.AsSpan((int)(address - HarnessLayout.DataAddress), 1);
        }

        if (address - HarnessLayout.StackWindowAddress < HarnessLayout.StackWindowSize)
        {
            return Stack.AsSpan((int)(address - HarnessLayout.StackWindowAddress), 1);
        }

        throw new ArgumentOutOfRangeException(nameof(address), $"0x{address:X} is outside the data buffer and the stack window");
    }

    /// <summary>An address in the data buffer, <paramref name="alignment"/>-aligned, at least <paramref name="margin"/> bytes from either end.</summary>
    public ulong DataAddress(int alignment = 1, int margin = 64)
    {
        int offset = margin + Rng.Next(HarnessLayout.DataSize - (2 * margin));
        offset &= ~(alignment - 1);
        return HarnessLayout.DataAddress + (ulong)offset;
    }

    public DiffCase Build(string form, Action<Assembler> build) =>
        Build(form, NativeCpu.Assemble(HarnessLayout.SnippetAddress, build));

    public DiffCase Build(string form, byte[] code) => new()
    {
        Form = form,
        Code = code,
        Gpr = (ulong[])Gpr.Clone(),
        Flags = Flags,
        Data = (byte[])Data.Clone(),
        Stack = (byte[])Stack.Clone(),
        UndefinedFlags = UndefinedFlags,
        GprMask = GprMask is null ? null : (ulong[])GprMask.Clone(),
        UndefinedMemory = [.. undefinedMemory],
    };

    /// <summary>
    /// A case run in 32-bit code: assembled for 32-bit mode, and only EAX..EDI compared (R8-R15 do not
    /// exist there, and the upper halves are undefined after the host returns to 64-bit mode).
    /// </summary>
    public DiffCase Build32(string form, Action<Assembler> build)
    {
        DiffCase c = Build(form, NativeCpu.Assemble32(HarnessLayout.SnippetAddress, build));
        var mask = new ulong[16];
        for (int i = 0; i < 8; i++)
        {
            mask[i] = (c.GprMask?[i] ?? ulong.MaxValue) & 0xFFFF_FFFF;
        }

        return new DiffCase
        {
            Form = c.Form,
            Code = c.Code,
            Bitness = 32,
            Gpr = c.Gpr,
            Flags = c.Flags,
            Data = c.Data,
            Stack = c.Stack,
            UndefinedFlags = c.UndefinedFlags,
            GprMask = mask,
            UndefinedMemory = c.UndefinedMemory,
        };
    }

    /// <summary>Index in <see cref="Gpr"/>, bit position and width of a general register.</summary>
    public static (int Index, int Shift, int Bits) Locate(Register reg)
    {
        if (reg >= Register.AH && reg <= Register.BH)
        {
            return (reg - Register.AH, 8, 8);
        }

        Register full = reg.GetFullRegister();
        if (full < Register.RAX || full > Register.R15)
        {
            throw new ArgumentException($"{reg} is not a general register", nameof(reg));
        }

        return (full - Register.RAX, 0, reg.GetSize() * 8);
    }
}
