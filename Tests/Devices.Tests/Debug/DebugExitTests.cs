using Devices.Debug;
using Mmu.Io;

namespace Devices.Tests.Debug;

public class DebugExitTests
{
    [Theory]
    [InlineData(0u, 1)]
    [InlineData(1u, 3)]
    [InlineData(0x41u, 0x83)]
    public void StatusIsValueShiftedLeftOrOne(uint value, int expected)
    {
        var ports = new PortSpace();
        var exit = new DebugExit();
        ports.Register(DebugExit.DefaultPort, 4, exit);
        ports.Out(DebugExit.DefaultPort, 4, value);
        Assert.Equal(expected, exit.ExitStatus);
    }
}
