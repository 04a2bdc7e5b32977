using Cpu.Semantics.Float;
using Cpu.State;
using Cpu.Tests.Differential.Harness;

namespace Cpu.Tests.Semantics;

/// <summary>
/// The soft-float against the host: .NET's double and float arithmetic on x64 is the host's SSE2
/// (ADDSD, MULSS...) under the default MXCSR (round to nearest, no DAZ/FTZ), NaN propagation included,
/// so every result must be bit-identical. Other rounding modes, DAZ/FTZ and the flags are compared with
/// the host in the differential tests, which load MXCSR natively.
/// </summary>
public class SoftFloatTests
{
    private const int Samples = 20_000;

    public static TheoryData<string, bool> OperationsAndFormats()
    {
        var data = new TheoryData<string, bool>();
        foreach (string op in new[] { "add", "sub", "mul", "div", "sqrt" })
        {
            data.Add(op, true);
            data.Add(op, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OperationsAndFormats))]
    public void ResultsEqualTheHost(string op, bool isDouble)
    {
        FloatFormat f = isDouble ? FloatFormat.Double : FloatFormat.Single;
        var rng = new Random(op.GetHashCode(StringComparison.Ordinal) & 0xFFFF);
        for (int i = 0; i < Samples; i++)
        {
            ulong a = FloatValues.Interesting(rng, f), b = FloatValues.Interesting(rng, f);
            ulong expected = isDouble ? HostDouble(op, a, b) : HostSingle(op, (uint)a, (uint)b);
            ulong actual = Evaluate(op, a, b, f);
            Assert.True(expected == actual, $"{op} {a:X} {b:X}: host {expected:X}, soft {actual:X}");
        }
    }

    private static ulong HostDouble(string op, ulong a, ulong b)
    {
        double x = BitConverter.UInt64BitsToDouble(a), y = BitConverter.UInt64BitsToDouble(b);
        return BitConverter.DoubleToUInt64Bits(op switch
        {
            "add" => x + y,
            "sub" => x - y,
            "mul" => x * y,
            "div" => x / y,
            _ => Math.Sqrt(x),
        });
    }

    private static ulong HostSingle(string op, uint a, uint b)
    {
        float x = BitConverter.UInt32BitsToSingle(a), y = BitConverter.UInt32BitsToSingle(b);
        return BitConverter.SingleToUInt32Bits(op switch
        {
            "add" => x + y,
            "sub" => x - y,
            "mul" => x * y,
            "div" => x / y,
            _ => MathF.Sqrt(x),
        });
    }

    [Fact]
    public void DoubleToSingleAndBackEqualTheHost()
    {
        var rng = new Random(7);
        for (int i = 0; i < Samples; i++)
        {
            ulong a = FloatValues.Interesting(rng, FloatFormat.Double);
            var ctx = new FloatContext(RoundingMode.Nearest);
            float expected = (float)BitConverter.UInt64BitsToDouble(a);
            ulong actual = SoftFloat.Pack(SoftFloat.Convert(SoftFloat.Unpack(a, FloatFormat.Double, ref ctx), FloatFormat.Single, ref ctx), FloatFormat.Single);
            Assert.True(BitConverter.SingleToUInt32Bits(expected) == actual, $"{a:X16}: host {BitConverter.SingleToUInt32Bits(expected):X8}, soft {actual:X8}");

            uint s = (uint)FloatValues.Interesting(rng, FloatFormat.Single);
            double widened = BitConverter.UInt32BitsToSingle(s);
            ulong back = SoftFloat.Pack(SoftFloat.Convert(SoftFloat.Unpack(s, FloatFormat.Single, ref ctx), FloatFormat.Double, ref ctx), FloatFormat.Double);
            Assert.True(BitConverter.DoubleToUInt64Bits(widened) == back, $"{s:X8}: host {BitConverter.DoubleToUInt64Bits(widened):X16}, soft {back:X16}");
        }
    }

    [Fact]
    public void FlagsFollowIeee()
    {
        Assert.Equal(FloatFlags.Precision, Flags("add", 0x3FF0_0000_0000_0000, 0x3CA0_0000_0000_0001)); // 1 + just over half an ULP
        Assert.Equal(FloatFlags.Invalid, Flags("sub", 0x7FF0_0000_0000_0000, 0x7FF0_0000_0000_0000)); // inf - inf
        Assert.Equal(FloatFlags.DivideByZero, Flags("div", 0x3FF0_0000_0000_0000, 0));
        Assert.Equal(FloatFlags.Overflow | FloatFlags.Precision, Flags("mul", 0x7FE0_0000_0000_0000, 0x4000_0000_0000_0000));
        Assert.Equal(FloatFlags.Underflow | FloatFlags.Precision, Flags("mul", 0x0010_0000_0000_0001, 0x3FE0_0000_0000_0000));
        Assert.Equal(FloatFlags.Denormal, Flags("add", 0x0000_0000_0000_0001, 0)); // exact denormal result: no underflow
        Assert.Equal(FloatFlags.Invalid, Flags("add", 0x7FF0_0000_0000_0001, 0x0000_0000_0000_0001)); // SNaN hides the denormal
        Assert.Equal(0u, Flags("add", 0x7FF8_0000_0000_0000, 0x0000_0000_0000_0001)); // so does a QNaN
    }

    [Fact]
    public void ExtendedRoundTripsThroughUnpackAndPack()
    {
        var rng = new Random(3);
        for (int i = 0; i < 1000; i++)
        {
            var v = new Float80((ulong)rng.NextInt64() | (1UL << 63), (ushort)rng.Next(1, 0x7FFF));
            Assert.Equal(v, SoftFloat.PackExtended(SoftFloat.Unpack(v)));
        }
    }

    private static uint Flags(string op, ulong a, ulong b)
    {
        var ctx = new FloatContext(RoundingMode.Nearest);
        Evaluate(op, a, b, FloatFormat.Double, ref ctx);
        return ctx.Flags;
    }

    private static ulong Evaluate(string op, ulong a, ulong b, FloatFormat f)
    {
        var ctx = new FloatContext(RoundingMode.Nearest);
        return Evaluate(op, a, b, f, ref ctx);
    }

    private static ulong Evaluate(string op, ulong a, ulong b, FloatFormat f, ref FloatContext ctx)
    {
        Unpacked x = SoftFloat.Unpack(a, f, ref ctx), y = SoftFloat.Unpack(b, f, ref ctx);
        Unpacked r = op switch
        {
            "add" => SoftFloat.Add(x, y, f, ref ctx),
            "sub" => SoftFloat.Subtract(x, y, f, ref ctx),
            "mul" => SoftFloat.Multiply(x, y, f, ref ctx),
            "div" => SoftFloat.Divide(x, y, f, ref ctx),
            _ => SoftFloat.SquareRoot(x, f, ref ctx),
        };
        return SoftFloat.Pack(r, f);
    }
}
