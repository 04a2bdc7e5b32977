using Devices.Pic;
using Mmu.Io;

namespace Devices.Tests.Pic;

public class PicPairTests
{
    /// <summary>The ICW sequence Linux's init_8259A and most kernels use: vectors 0x20/0x28, cascade on IRQ 2, 8086 mode.</summary>
    private static (PicPair Pic, PortSpace Ports) Initialised()
    {
        var ports = new PortSpace();
        var pic = new PicPair();
        pic.Register(ports);
        ports.Out(0x20, 1, 0x11);
        ports.Out(0xA0, 1, 0x11);
        ports.Out(0x21, 1, 0x20);
        ports.Out(0xA1, 1, 0x28);
        ports.Out(0x21, 1, 0x04);
        ports.Out(0xA1, 1, 0x02);
        ports.Out(0x21, 1, 0x01);
        ports.Out(0xA1, 1, 0x01);
        ports.Out(0x21, 1, 0x00);
        ports.Out(0xA1, 1, 0x00);
        return (pic, ports);
    }

    [Fact]
    public void IcwSequenceProgramsVectorsAndCascade()
    {
        (PicPair pic, PortSpace ports) = Initialised();
        Assert.Equal(0x20, pic.Master.VectorBase);
        Assert.Equal(0x28, pic.Slave.VectorBase);
        Assert.Equal(0x04, pic.Master.Icw3);
        ports.Out(0x21, 1, 0xFB);
        Assert.Equal(0xFBu, ports.In(0x21, 1));
    }

    [Fact]
    public void EdgeOnIrqGivesItsVectorAndEoiClearsIsr()
    {
        (PicPair pic, PortSpace ports) = Initialised();
        pic.Line(1).Set(true);
        Assert.True(pic.HasInterrupt);
        Assert.Equal(0x21, pic.AcknowledgeInterrupt());
        Assert.False(pic.HasInterrupt);
        ports.Out(0x20, 1, 0x0B); // OCW3: read ISR
        Assert.Equal(0x02u, ports.In(0x20, 1));
        ports.Out(0x20, 1, 0x20); // non-specific EOI
        Assert.Equal(0x00u, ports.In(0x20, 1));
        Assert.Equal(1, pic.DeliveredByIrq[1]);

        // The line is still high: no new edge, no new request.
        Assert.False(pic.HasInterrupt);
        pic.Line(1).Set(false);
        pic.Line(1).Set(true);
        Assert.True(pic.HasInterrupt);
    }

    [Fact]
    public void SlaveIrqCascadesThroughIrq2()
    {
        (PicPair pic, PortSpace ports) = Initialised();
        pic.Line(12).Set(true);
        Assert.True(pic.HasInterrupt);
        Assert.Equal(0x2C, pic.AcknowledgeInterrupt());
        ports.Out(0xA0, 1, 0x0B);
        Assert.Equal(0x10u, ports.In(0xA0, 1));
        ports.Out(0x20, 1, 0x0B);
        Assert.Equal(0x04u, ports.In(0x20, 1));
        ports.Out(0xA0, 1, 0x20);
        ports.Out(0x20, 1, 0x20);
        Assert.Equal(0x00u, ports.In(0x20, 1));
        Assert.Equal(1, pic.DeliveredByIrq[12]);
    }

    [Fact]
    public void MaskedIrqWaitsAndHigherPriorityPreempts()
    {
        (PicPair pic, PortSpace ports) = Initialised();
        ports.Out(0x21, 1, 0x08); // mask IRQ 3
        pic.Line(3).Set(true);
        Assert.False(pic.HasInterrupt);
        pic.Line(4).Set(true);
        Assert.Equal(0x24, pic.AcknowledgeInterrupt());
        pic.Line(5).Set(true);
        Assert.False(pic.HasInterrupt); // 5 is lower priority than 4 in service
        pic.Line(0).Set(true);
        Assert.Equal(0x20, pic.AcknowledgeInterrupt()); // 0 preempts
        ports.Out(0x20, 1, 0x60); // specific EOI for IRQ 0
        ports.Out(0x20, 1, 0x64); // specific EOI for IRQ 4
        Assert.Equal(0x25, pic.AcknowledgeInterrupt());
        ports.Out(0x21, 1, 0x00);
        ports.Out(0x20, 1, 0x20);
        Assert.Equal(0x23, pic.AcknowledgeInterrupt());
    }

    [Fact]
    public void AcknowledgeWithNothingPendingIsSpuriousIrq7()
    {
        (PicPair pic, PortSpace ports) = Initialised();
        Assert.Equal(0x27, pic.AcknowledgeInterrupt());
        ports.Out(0x20, 1, 0x0B);
        Assert.Equal(0x00u, ports.In(0x20, 1)); // no ISR bit for a spurious interrupt
        Assert.Equal(1, pic.Spurious);
    }

    [Fact]
    public void AutoEoiSetsNoIsrBit()
    {
        var ports = new PortSpace();
        var pic = new PicPair();
        pic.Register(ports);
        ports.Out(0x20, 1, 0x11);
        ports.Out(0x21, 1, 0x30);
        ports.Out(0x21, 1, 0x04);
        ports.Out(0x21, 1, 0x03); // 8086 mode, auto-EOI
        pic.Line(6).Set(true);
        Assert.Equal(0x36, pic.AcknowledgeInterrupt());
        ports.Out(0x20, 1, 0x0B);
        Assert.Equal(0x00u, ports.In(0x20, 1));
    }

    [Fact]
    public void PollCommandReturnsTheRequest()
    {
        (PicPair pic, PortSpace ports) = Initialised();
        pic.Line(3).Set(true);
        ports.Out(0x20, 1, 0x0C); // OCW3 poll
        Assert.Equal(0x83u, ports.In(0x20, 1));
    }
}
