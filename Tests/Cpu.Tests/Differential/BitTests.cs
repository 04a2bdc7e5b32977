using System.Runtime.Intrinsics.X86;
using Cpu.Tests.Differential.Harness;
using Iced.Intel;

namespace Cpu.Tests.Differential;

/// <summary>
/// BT/BTS/BTR/BTC (register and immediate offsets; a register offset into a memory bit string reaches
/// beyond the operand), BSF/BSR, TZCNT/LZCNT, POPCNT, the BMI1 group (ANDN/BEXTR/BLSI/BLSMSK/BLSR), with the SDM's undefined flags masked.
/// </summary>
public class BitTests
{
    private static readonly FormSemantics BitTest = new()
    {
        UndefinedFlags = FlagBits.OF | FlagBits.SF | FlagBits.AF | FlagBits.PF,
        MemoryMargin = 700,
        Shape = ShapeBitOffset,
    };

    /// <summary>BSF/BSR: only ZF is defined, and the destination is undefined for a zero source.</summary>
    private static readonly FormSemantics BitScan = new()
    {
        UndefinedFlags = FlagBits.CF | FlagBits.OF | FlagBits.SF | FlagBits.AF | FlagBits.PF,
        Shape = c =>
        {
            if (c.Rng.Next(8) == 0)
            {
                c.Set(1, 0);
            }

            if (c.Get(1) == 0)
            {
                c.Builder.Undefine(c.Operands[0].Register);
            }
        },
    };

    private static readonly FormSemantics Count = new()
    {
        UndefinedFlags = FlagBits.OF | FlagBits.SF | FlagBits.AF | FlagBits.PF,
        Shape = c =>
        {
            if (c.Rng.Next(8) == 0)
            {
                c.Set(1, 0);
            }
        },
    };

    [Theory]
    [InlineData(Mnemonic.Bt)]
    [InlineData(Mnemonic.Bts)]
    [InlineData(Mnemonic.Btr)]
    [InlineData(Mnemonic.Btc)]
    public void BitTestMatchesTheHost(Mnemonic mnemonic) => DifferentialRunner.Check(FormGenerator.Cases(BitTest, mnemonic));

    [Theory]
    [InlineData(Mnemonic.Bsf)]
    [InlineData(Mnemonic.Bsr)]
    public void BitScanMatchesTheHost(Mnemonic mnemonic) => DifferentialRunner.Check(FormGenerator.Cases(BitScan, mnemonic));

    [Fact]
    public void TzcntMatchesTheHost()
    {
        HostFeatures.RequireHost(Bmi1.IsSupported, "TZCNT (BMI1)");
        DifferentialRunner.Check(FormGenerator.Cases(Count, Mnemonic.Tzcnt));
    }

    /// <summary>ANDN/BLSI/BLSMSK/BLSR leave AF and PF undefined (SDM Vol. 2A).</summary>
    private static readonly FormSemantics Bmi1Logic = new()
    {
        UndefinedFlags = FlagBits.AF | FlagBits.PF,
        Shape = c =>
        {
            if (c.Rng.Next(8) == 0)
            {
                c.Set(c.Operands.Length - 1, 0);
            }
        },
    };

    /// <summary>BEXTR leaves AF, SF and PF undefined; the control operand gets small start/length fields most of the time.</summary>
    private static readonly FormSemantics Bextr = new()
    {
        UndefinedFlags = FlagBits.AF | FlagBits.SF | FlagBits.PF,
        Shape = c =>
        {
            if (c.Rng.Next(4) != 0)
            {
                c.Set(2, (ulong)((c.Rng.Next(72) << 8) | c.Rng.Next(72)));
            }
        },
    };

    [Theory]
    [InlineData(Mnemonic.Andn)]
    [InlineData(Mnemonic.Blsi)]
    [InlineData(Mnemonic.Blsmsk)]
    [InlineData(Mnemonic.Blsr)]
    public void Bmi1LogicMatchesTheHost(Mnemonic mnemonic)
    {
        HostFeatures.RequireHost(Bmi1.IsSupported, "BMI1");
        DifferentialRunner.Check(FormGenerator.Cases(Bmi1Logic, mnemonic));
    }

    [Fact]
    public void BextrMatchesTheHost()
    {
        HostFeatures.RequireHost(Bmi1.IsSupported, "BMI1");
        DifferentialRunner.Check(FormGenerator.Cases(Bextr, Mnemonic.Bextr));
    }

    [Fact]
    public void LzcntMatchesTheHost()
    {
        HostFeatures.RequireHost(Lzcnt.IsSupported, "LZCNT");
        DifferentialRunner.Check(FormGenerator.Cases(Count, Mnemonic.Lzcnt));
    }

    [Fact]
    public void PopcntMatchesTheHost()
    {
        HostFeatures.RequireHost(Popcnt.IsSupported, "POPCNT");
        DifferentialRunner.Check(FormGenerator.Cases(FormSemantics.Plain, Mnemonic.Popcnt));
    }

    [Fact]
    public void Crc32MatchesTheHost()
    {
        HostFeatures.RequireHost(Sse42.IsSupported, "SSE4.2");
        DifferentialRunner.Check(FormGenerator.Cases(FormSemantics.Plain, Mnemonic.Crc32));
    }

    /// <summary>
    /// The emulator runs POPCNT, LZCNT and TZCNT (the tests above), so its CPUID must say so: without the
    /// LZCNT/BMI1 bits a guest reads F3 0F BD/BC as BSR/BSF (SDM Vol. 2A, LZCNT and TZCNT).
    /// </summary>
    [Fact]
    public void EmulatorCpuidReportsTheBitCountInstructions()
    {
        DifferentialRunner.RequireNative();
        var leaf1 = HostFeatures.EmulatorCpuid(1, 0);
        var leaf7 = HostFeatures.EmulatorCpuid(7, 0);
        var extended = HostFeatures.EmulatorCpuid(0x8000_0001, 0);
        Assert.NotNull(leaf1);
        Assert.NotNull(leaf7);
        Assert.NotNull(extended);
        Assert.True((leaf1.Value.Ecx & (1 << 23)) != 0, "CPUID.1:ECX.POPCNT[bit 23] is clear");
        Assert.True((extended.Value.Ecx & (1 << 5)) != 0, "CPUID.80000001H:ECX.LZCNT[bit 5] is clear");
        Assert.True((leaf7.Value.Ebx & (1 << 3)) != 0, "CPUID.(EAX=07H,ECX=0):EBX.BMI1[bit 3] is clear, yet F3 0F BC runs as TZCNT (without BMI1 it must run as BSF; with it, ANDN/BEXTR/BLS* are owed too)");
    }

    /// <summary>Keeps a register bit offset into a memory bit string within +-512 bytes of the operand (the buffer margin).</summary>
    internal static void ShapeBitOffset(FormCase c)
    {
        OperandPlan offset = c.Operands[1];
        if (c.Operands[0].Role == OperandRole.Memory && offset.Role == OperandRole.Register)
        {
            // Any bit within +-512 bytes of the operand: negative offsets address below it.
            long bit = c.Rng.Next(3) == 0 ? c.Rng.Next(-4096, 4096) : c.Rng.Next(-64, 128);
            c.Set(1, (ulong)bit);
        }
        else if (offset.Role == OperandRole.Immediate && c.Rng.Next(2) == 0)
        {
            c.Set(1, (ulong)c.Rng.Next(256));
        }
        else if (offset.Role == OperandRole.Register && c.Rng.Next(2) == 0)
        {
            c.Set(1, (ulong)c.Rng.Next(256));
        }
    }
}
