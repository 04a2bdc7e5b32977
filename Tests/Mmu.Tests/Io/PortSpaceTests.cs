using Mmu.Io;

namespace Mmu.Tests.Io;

public class PortSpaceTests
{
    private sealed class Latch : IPortDevice
    {
        public uint Value;

        public uint In(ushort port, int size) => Value;

        public void Out(ushort port, int size, uint value) => Value = value;
    }

    [Fact]
    public void UnclaimedPortsReadAllOnesAndDropWrites()
    {
        var ports = new PortSpace();
        Assert.Equal(0xFFu, ports.In(0x80, 1));
        Assert.Equal(0xFFFFu, ports.In(0x80, 2));
        Assert.Equal(0xFFFF_FFFFu, ports.In(0x80, 4));
        ports.Out(0x80, 1, 5);
        Assert.Equal(3, ports.UnclaimedReads);
        Assert.Equal(1, ports.UnclaimedWrites);
    }

    [Fact]
    public void ClaimedPortsReachTheirDevice()
    {
        var ports = new PortSpace();
        var latch = new Latch();
        ports.Register(0x3F8, 8, latch);
        ports.Out(0x3FB, 1, 0x83);
        Assert.Equal(0x83u, ports.In(0x3F8, 1));
    }

    [Fact]
    public void OverlappingClaimsAreRefused()
    {
        var ports = new PortSpace();
        ports.Register(0x60, 1, new Latch());
        Assert.Throws<ArgumentException>(() => ports.Register(0x5F, 4, new Latch()));
    }
}
