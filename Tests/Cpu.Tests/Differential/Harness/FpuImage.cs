using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using Cpu.State;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// FXSAVE64 images of the x87/SSE state that both sides load before a snippet and store after it (Intel
/// SDM Vol. 2A, FXSAVE, Table 3-46), and the fields of it that are compared.
/// </summary>
public static class FpuImage
{
    public const int MxcsrOffset = 24;
    public const int XmmOffset = 160;

    /// <summary>The state after FNINIT with MXCSR at its reset value and zero XMM registers.</summary>
    public static byte[] Default()
    {
        var image = new byte[HarnessLayout.FpuImageSize];
        BinaryPrimitives.WriteUInt16LittleEndian(image, X87State.InitialControl);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(MxcsrOffset), MxcsrBits.Initial);
        return image;
    }

    /// <summary>An image with the given MXCSR and XMM registers.</summary>
    public static byte[] WithSse(uint mxcsr, Vector128<ulong>[] xmm) => WithSse(Default(), mxcsr, xmm);

    /// <summary><paramref name="image"/> with the given MXCSR and XMM registers.</summary>
    public static byte[] WithSse(byte[] image, uint mxcsr, Vector128<ulong>[] xmm)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(MxcsrOffset), mxcsr);
        for (int i = 0; i < xmm.Length; i++)
        {
            xmm[i].AsByte().CopyTo(image.AsSpan(XmmOffset + (16 * i), 16));
        }

        return image;
    }

    /// <summary>
    /// <paramref name="image"/> (an x87 state) with MM0-MM7 (the significands of the physical registers R0-R7,
    /// stored in stack order from TOP) set to <paramref name="mm"/>; half the time with the all-ones exponent an
    /// MMX write leaves, else keeping the image's.
    /// </summary>
    public static byte[] WithMmx(byte[] image, ulong[] mm, Random rng)
    {
        int top = (BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(2)) >> X87State.TopShift) & 7;
        for (int physical = 0; physical < 8; physical++)
        {
            Span<byte> slot = image.AsSpan(32 + (16 * ((physical - top) & 7)), 10);
            BinaryPrimitives.WriteUInt64LittleEndian(slot, mm[physical]);
            if (rng.Next(2) == 0)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(slot[8..], 0xFFFF);
            }
        }

        return image;
    }

    public static Vector128<ulong> Xmm(byte[] image, int index) => Vector128.Create<byte>(image.AsSpan(XmmOffset + (16 * index), 16)).AsUInt64();

    /// <summary>
    /// The compared fields: control and status words, abridged tags, MXCSR, ST0-ST7 (10 bytes each) and
    /// XMM0-XMM15. The last-instruction/data pointers and opcode are not: AMD processors store them only
    /// while an exception is pending, and MXCSR_MASK is the processor's own.
    /// </summary>
    public static IEnumerable<string> Differences(byte[] host, byte[] emu, int stUlpTolerance = 0, double xmmSingleTolerance = 0)
    {
        var found = new List<string>();
        (string Name, int Offset, int Length)[] fields =
        [
            ("FCW", 0, 2), ("FSW", 2, 2), ("FTW", 4, 1), ("MXCSR", MxcsrOffset, 4),
            .. Enumerable.Range(0, 8).Select(i => ($"ST{i}", 32 + (16 * i), 10)),
            .. Enumerable.Range(0, 16).Select(i => ($"XMM{i}", XmmOffset + (16 * i), 16)),
        ];
        foreach ((string name, int offset, int length) in fields)
        {
            ReadOnlySpan<byte> h = host.AsSpan(offset, length), e = emu.AsSpan(offset, length);
            if (!h.SequenceEqual(e))
            {
                if (name.StartsWith("ST", StringComparison.Ordinal) && UlpDistance(h, e) <= (UInt128)stUlpTolerance)
                {
                    continue;
                }

                if (name.StartsWith("XMM", StringComparison.Ordinal) && xmmSingleTolerance > 0 && WithinTolerance(h, e, xmmSingleTolerance))
                {
                    continue;
                }

                found.Add($"{name}: host {Hex(h)}, emu {Hex(e)}");
            }
        }

        // C1 reports whether the processor's approximation was rounded up, which says nothing of the true
        // value: with a tolerance it is not compared (the host sets it at random for FPTAN of tiny operands).
        const ushort c1 = 1 << 9;
        if (stUlpTolerance > 0 && found.Count > 0 && found[0].StartsWith("FSW", StringComparison.Ordinal)
            && ((BinaryPrimitives.ReadUInt16LittleEndian(host.AsSpan(2)) ^ BinaryPrimitives.ReadUInt16LittleEndian(emu.AsSpan(2))) & ~c1) == 0)
        {
            found.RemoveAt(0);
        }

        return found;
    }

    /// <summary>Every single lane equal, or both finite and non-zero with the host within <paramref name="tolerance"/> of the emulator, relatively.</summary>
    private static bool WithinTolerance(ReadOnlySpan<byte> host, ReadOnlySpan<byte> emu, double tolerance)
    {
        for (int i = 0; i < 16; i += 4)
        {
            float h = BinaryPrimitives.ReadSingleLittleEndian(host[i..]), e = BinaryPrimitives.ReadSingleLittleEndian(emu[i..]);
            bool same = BinaryPrimitives.ReadUInt32LittleEndian(host[i..]) == BinaryPrimitives.ReadUInt32LittleEndian(emu[i..]);
            if (!same && (!float.IsNormal(h) || !float.IsNormal(e) || Math.Abs(((double)h - e) / e) > tolerance))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>How many representable extended values apart two of the same sign are (ordered as integers: exponent, then significand).</summary>
    private static UInt128 UlpDistance(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        ushort ea = BinaryPrimitives.ReadUInt16LittleEndian(a[8..]), eb = BinaryPrimitives.ReadUInt16LittleEndian(b[8..]);
        if (((ea ^ eb) & 0x8000) != 0 || (ea & 0x7FFF) == 0x7FFF || (eb & 0x7FFF) == 0x7FFF)
        {
            return UInt128.MaxValue;
        }

        UInt128 ka = Key(ea, BinaryPrimitives.ReadUInt64LittleEndian(a)), kb = Key(eb, BinaryPrimitives.ReadUInt64LittleEndian(b));
        return ka > kb ? ka - kb : kb - ka;
    }

    /// <summary>A key in which consecutive extended values (normal: integer bit set, denormal: exponent 0) differ by one.</summary>
    private static UInt128 Key(ushort signExponent, ulong significand) =>
        ((UInt128)(uint)(signExponent & 0x7FFF) << 63) + (significand & 0x7FFF_FFFF_FFFF_FFFF);

    /// <summary>Most significant byte first, as a register is written.</summary>
    private static string Hex(ReadOnlySpan<byte> bytes)
    {
        byte[] reversed = bytes.ToArray();
        Array.Reverse(reversed);
        return Convert.ToHexString(reversed);
    }
}
