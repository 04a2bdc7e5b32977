using Cpu.Tests.Differential.Harness;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Differential;

/// <summary>The host side of the harness on its own: known results prove that it loads and saves state correctly.</summary>
public class NativeHarnessTests
{
    [Fact]
    public void AddOnTheHostGivesTheKnownSumAndFlags()
    {
        NativeCpu native = DifferentialRunner.RequireNative();
        var b = new CaseBuilder(new Random(1));
        b.SetReg(Register.RAX, 0x7FFF_FFFF_FFFF_FFFF);
        b.SetReg(Register.RBX, 1);
        b.Flags = 2;
        MachineSnapshot s = native.Run(b.Build("add", a => a.add(rax, rbx)));

        Assert.Equal(0x8000_0000_0000_0000UL, s.Gpr[0]);
        Assert.Equal(1UL, s.Gpr[3]);
        Assert.Equal(FlagBits.OF | FlagBits.SF | FlagBits.AF | FlagBits.PF, s.Flags & FlagBits.Compared);
        Assert.Equal(HarnessLayout.InitialRsp, s.Gpr[4]);
    }

    [Fact]
    public void EveryRegisterAndFlagRoundTrips()
    {
        NativeCpu native = DifferentialRunner.RequireNative();
        var b = new CaseBuilder(new Random(2));
        b.Flags = FlagBits.Compared | 2;
        DiffCase c = b.Build("nop", a => a.nop());
        MachineSnapshot s = native.Run(c);

        Assert.Equal(c.Gpr, s.Gpr);
        Assert.Equal(FlagBits.Compared, s.Flags & FlagBits.Compared);
        Assert.Equal(c.Data, s.Data);
        Assert.Equal(c.Stack, s.Stack);
    }

    [Fact]
    public void StackAndDataBufferAreTheSnippetsOwn()
    {
        NativeCpu native = DifferentialRunner.RequireNative();
        var b = new CaseBuilder(new Random(3));
        ulong target = b.DataAddress(8);
        b.SetReg(Register.RSI, target);
        b.SetReg(Register.RAX, 0x1122_3344_5566_7788);
        MachineSnapshot s = native.Run(b.Build("push/store", a =>
        {
            a.push(rax);
            a.mov(__qword_ptr[rsi], rax);
            a.pop(rcx);
        }));

        Assert.Equal(0x1122_3344_5566_7788UL, s.Gpr[1]);
        Assert.Equal(0x1122_3344_5566_7788UL, BitConverter.ToUInt64(s.Data, (int)(target - HarnessLayout.DataAddress)));
        Assert.Equal(0x1122_3344_5566_7788UL, BitConverter.ToUInt64(s.Stack, HarnessLayout.InitialRspOffset - 8 - HarnessLayout.StackWindowOffset));
    }

    [Fact]
    public void TheEpilogueAddressesMemoryAbsolutely()
    {
        NativeCpu native = DifferentialRunner.RequireNative();
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(native.Epilogue));
        while (decoder.IP < (ulong)native.Epilogue.Length)
        {
            decoder.Decode(out Instruction ins);
            Assert.False(ins.IsIPRelativeMemoryOperand, $"{ins} is RIP-relative: the epilogue must run wherever it is copied");
        }
    }

    /// <summary>The comparison is not vacuous: different instructions on the same inputs are reported.</summary>
    [Fact]
    public void TheRunnerReportsADifference()
    {
        NativeCpu native = DifferentialRunner.RequireNative();
        var b = new CaseBuilder(new Random(4));
        DiffCase add = b.Build("add", a => a.add(rax, rbx));
        DiffCase sub = b.Build("sub", a => a.sub(rax, rbx));
        MachineSnapshot host = native.Run(add);
        MachineSnapshot emu = EmulatedCpu.Run(sub);

        List<string> diffs = DifferentialRunner.Compare(add, host, emu);
        Assert.Contains(diffs, d => d.StartsWith("rax:", StringComparison.Ordinal));
    }
}
