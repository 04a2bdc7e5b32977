using Cpu.Tests.Support;
using Cpu.Translation;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Translation;

/// <summary>
/// The test matrix holds: Cpu.Tests runs the test machines interpreted and Cpu.Tests.Compiled runs them
/// with every block compiled, so a broken build constant cannot quietly run both projects in one tier.
/// </summary>
public class JitEnvironmentTests
{
    [Fact]
    public void TestMachinesRunInTheTierOfThisProject()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("EMU_JIT")))
        {
            Assert.Skip("EMU_JIT chooses the tier of this run");
        }

#if COMPILED_TIER
        Assert.Equal(JitMode.Always, JitEnvironment.Mode);
#else
        Assert.Equal(JitMode.Off, JitEnvironment.Mode);
#endif
        using var m = new TestMachine();
        m.Execute(a =>
        {
            a.mov(rax, 1);
            a.add(rax, rax);
        });

        Assert.Equal(2UL, m[0]);
#if COMPILED_TIER
        Assert.True(m.Cpu.Jit.Counters.InstructionsInCompiledCode > 0, "no instruction ran in compiled code");
#else
        Assert.Equal(0, m.Cpu.Jit.Counters.BlocksCompiled);
#endif
    }
}
