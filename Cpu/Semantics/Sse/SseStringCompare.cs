using System.Numerics;
using System.Runtime.Intrinsics;
using Cpu.State;
using Iced.Intel;

namespace Cpu.Semantics.Sse;

/// <summary>
/// SSE4.2 PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (Intel SDM Vol. 2, 4.1 "Imm8 control byte operation for
/// PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM"): the elements of the first operand compared with those of
/// the second (bytes or words, signed or unsigned: imm8[1:0]) by one of four aggregations (imm8[3:2]),
/// the result optionally negated (imm8[5:4]), then reduced to an index in ECX or a mask in XMM0 (imm8[6]).
/// Lengths are explicit (EAX/EDX, RAX/RDX with REX.W, saturated to the element count) or implicit (up to
/// the first zero element). The memory operand needs no alignment.
/// </summary>
public static class SseStringCompare
{
    public static void Pcmpestri(Processor cpu, ref Instruction ins) => ToIndex(cpu, ins, Compare(cpu, ins, explicitLengths: true));

    public static void Pcmpistri(Processor cpu, ref Instruction ins) => ToIndex(cpu, ins, Compare(cpu, ins, explicitLengths: false));

    public static void Pcmpestrm(Processor cpu, ref Instruction ins) => ToMask(cpu, ins, Compare(cpu, ins, explicitLengths: true));

    public static void Pcmpistrm(Processor cpu, ref Instruction ins) => ToMask(cpu, ins, Compare(cpu, ins, explicitLengths: false));

    /// <summary>The element count (16 bytes or 8 words) and the comparison result, flags already set.</summary>
    private static (int Count, uint Result) Compare(Processor cpu, in Instruction ins, bool explicitLengths)
    {
        CpuState s = cpu.State;
        int imm = ins.Immediate8;
        bool words = (imm & 1) != 0, signed = (imm & 2) != 0;
        int n = words ? 8 : 16;
        Span<int> a = stackalloc int[n], b = stackalloc int[n];
        Elements(SseMoves.Destination(cpu, ins), words, signed, a);
        Elements(SseMoves.Source(cpu, ins), words, signed, b);
        int lengthA, lengthB;
        if (explicitLengths)
        {
            bool wide = ins.Code is Code.Pcmpestri64_xmm_xmmm128_imm8 or Code.Pcmpestrm64_xmm_xmmm128_imm8;
            lengthA = ExplicitLength(s.Gpr[0], wide, n);
            lengthB = ExplicitLength(s.Gpr[2], wide, n);
        }
        else
        {
            lengthA = ImplicitLength(a);
            lengthB = ImplicitLength(b);
        }

        uint result = Aggregate((imm >> 2) & 3, a, b, lengthA, lengthB);
        uint all = (1u << n) - 1;
        result = ((imm >> 4) & 3) switch
        {
            1 => ~result & all,
            3 => result ^ ((1u << lengthB) - 1),
            _ => result,
        };
        ulong flags = (result != 0 ? Rflag.CF : 0) | (lengthB < n ? Rflag.ZF : 0) | (lengthA < n ? Rflag.SF : 0) | ((result & 1) != 0 ? Rflag.OF : 0);
        s.SetFlags(Rflag.Arithmetic, flags);
        return (n, result);
    }

    private static void ToIndex(Processor cpu, in Instruction ins, (int Count, uint Result) r)
    {
        int index = r.Result == 0 ? r.Count
            : (ins.Immediate8 & 0x40) != 0 ? 31 - BitOperations.LeadingZeroCount(r.Result) : BitOperations.TrailingZeroCount(r.Result);
        Operands.WriteRegister(cpu.State, Register.ECX, (ulong)index);
    }

    private static void ToMask(Processor cpu, in Instruction ins, (int Count, uint Result) r)
    {
        Vector128<ulong> mask;
        if ((ins.Immediate8 & 0x40) == 0)
        {
            mask = Vector128.Create((ulong)r.Result, 0UL);
        }
        else
        {
            int size = 16 / r.Count;
            Span<byte> bytes = stackalloc byte[16];
            for (int i = 0; i < 16; i++)
            {
                bytes[i] = (r.Result & (1u << (i / size))) != 0 ? (byte)0xFF : (byte)0;
            }

            mask = Vector128.Create<byte>(bytes).AsUInt64();
        }

        SseOperands.SetXmm(cpu.State, Register.XMM0, mask);
    }

    private static void Elements(Vector128<ulong> v, bool words, bool signed, Span<int> e)
    {
        for (int i = 0; i < e.Length; i++)
        {
            e[i] = (words, signed) switch
            {
                (false, false) => v.AsByte().GetElement(i),
                (false, true) => v.AsSByte().GetElement(i),
                (true, false) => v.AsUInt16().GetElement(i),
                _ => v.AsInt16().GetElement(i),
            };
        }
    }

    /// <summary>The absolute value of the length register (64-bit with REX.W), saturated to the element count.</summary>
    private static int ExplicitLength(ulong register, bool wide, int n)
    {
        long value = wide ? (long)register : (int)register;
        return value >= n || value <= -n ? n : (int)Math.Abs(value);
    }

    private static int ImplicitLength(ReadOnlySpan<int> e)
    {
        int i = e.IndexOf(0);
        return i < 0 ? e.Length : i;
    }

    /// <summary>IntRes1 of the SDM: bit j for element j of the second operand (of position j for "equal each").</summary>
    private static uint Aggregate(int mode, ReadOnlySpan<int> a, ReadOnlySpan<int> b, int lengthA, int lengthB)
    {
        int n = a.Length;
        uint result = 0;
        for (int j = 0; j < n; j++)
        {
            bool bit = mode switch
            {
                0 => EqualAny(a, b[j], lengthA) && j < lengthB,
                1 => InRanges(a, b[j], lengthA) && j < lengthB,
                2 => (j < lengthA, j < lengthB) switch
                {
                    (false, false) => true,
                    (true, true) => a[j] == b[j],
                    _ => false,
                },
                _ => EqualOrdered(a, b, j, lengthA, lengthB),
            };
            result |= bit ? 1u << j : 0;
        }

        return result;
    }

    private static bool EqualAny(ReadOnlySpan<int> a, int value, int lengthA)
    {
        for (int i = 0; i < lengthA; i++)
        {
            if (a[i] == value)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first operand's valid elements as (low, high) pairs; a pair whose high is invalid matches nothing.</summary>
    private static bool InRanges(ReadOnlySpan<int> a, int value, int lengthA)
    {
        for (int i = 0; i + 1 < lengthA; i += 2)
        {
            if (value >= a[i] && value <= a[i + 1])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first operand (up to its length) found as a substring of the second starting at element j.</summary>
    private static bool EqualOrdered(ReadOnlySpan<int> a, ReadOnlySpan<int> b, int j, int lengthA, int lengthB)
    {
        for (int i = 0; i + j < a.Length; i++)
        {
            bool validA = i < lengthA, validB = i + j < lengthB;
            bool match = (validA, validB) switch
            {
                (false, _) => true,
                (true, false) => false,
                _ => a[i] == b[i + j],
            };
            if (!match)
            {
                return false;
            }
        }

        return true;
    }
}
