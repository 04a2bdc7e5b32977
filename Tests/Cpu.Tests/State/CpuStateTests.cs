using Cpu.State;

namespace Cpu.Tests.State;

public class CpuStateTests
{
    [Fact]
    public void HasSixteenGeneralRegisters()
    {
        Assert.Equal(16, new CpuState().Gpr.Length);
    }
}
