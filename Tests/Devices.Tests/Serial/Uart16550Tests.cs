using System.Text;
using Devices.Serial;
using Devices.Tests.Support;
using Mmu.Io;

namespace Devices.Tests.Serial;

public class Uart16550Tests
{
    private static (Uart16550 Uart, PortSpace Ports, RecordingLine Irq, MemorySerialSink Sink) Create()
    {
        var irq = new RecordingLine();
        var sink = new MemorySerialSink();
        var uart = new Uart16550(irq, sink);
        var ports = new PortSpace();
        uart.Register(ports);
        return (uart, ports, irq, sink);
    }

    /// <summary>Linux's 8250 driver and most kernels: 8N1 at 115200 with FIFOs, DTR/RTS/OUT2, receive interrupts.</summary>
    private static void InitLikeLinux(PortSpace ports)
    {
        ports.Out(0x3F9, 1, 0x00);
        ports.Out(0x3FB, 1, 0x80); // DLAB
        ports.Out(0x3F8, 1, 0x01); // divisor 1: 115200 baud
        ports.Out(0x3F9, 1, 0x00);
        ports.Out(0x3FB, 1, 0x03); // 8N1
        ports.Out(0x3FA, 1, 0xC7); // FIFO on, cleared, 14-byte trigger
        ports.Out(0x3FC, 1, 0x0B); // DTR, RTS, OUT2
        ports.Out(0x3F9, 1, 0x01); // receive-data interrupt
    }

    [Fact]
    public void InitSequenceSetsDivisorFifoAndLineControl()
    {
        (Uart16550 uart, PortSpace ports, RecordingLine irq, MemorySerialSink _) = Create();
        InitLikeLinux(ports);
        Assert.Equal(1, uart.Divisor);
        Assert.True(uart.FifoEnabled);
        Assert.Equal(0x03u, ports.In(0x3FB, 1));
        Assert.Equal(0xC1u, ports.In(0x3FA, 1)); // FIFOs enabled, no interrupt pending
        Assert.Equal(0x60u, ports.In(0x3FD, 1)); // THR empty, transmitter empty
        Assert.False(irq.Level);
    }

    [Fact]
    public void TransmittedBytesReachTheSinkAndLineEvents()
    {
        (Uart16550 uart, PortSpace ports, RecordingLine _, MemorySerialSink sink) = Create();
        var lines = new List<string>();
        uart.LineWritten += lines.Add;
        InitLikeLinux(ports);
        foreach (byte b in Encoding.ASCII.GetBytes("TEST x: PASS\r\nnext"))
        {
            Assert.NotEqual(0u, ports.In(0x3FD, 1) & 0x20);
            ports.Out(0x3F8, 1, b);
        }

        Assert.Equal("TEST x: PASS\r\nnext", sink.Text);
        Assert.Equal(["TEST x: PASS"], lines);
        Assert.Equal(18, uart.BytesTransmitted);
    }

    [Fact]
    public void HostInputRaisesReceiveInterruptAndIsRead()
    {
        (Uart16550 uart, PortSpace ports, RecordingLine irq, MemorySerialSink _) = Create();
        InitLikeLinux(ports);
        uart.EnqueueInput("hi"u8);
        uart.PumpInput();
        Assert.True(irq.Level);
        Assert.Equal(0xCCu, ports.In(0x3FA, 1)); // character timeout (below the 14-byte trigger), FIFO bits
        Assert.Equal(0x01u, ports.In(0x3FD, 1) & 0x01);
        Assert.Equal((uint)'h', ports.In(0x3F8, 1));
        Assert.Equal((uint)'i', ports.In(0x3F8, 1));
        Assert.Equal(0x00u, ports.In(0x3FD, 1) & 0x01);
        Assert.False(irq.Level);
        Assert.Equal(2, uart.BytesReceived);
    }

    [Fact]
    public void ThrEmptyInterruptOnEnableClearedByIirRead()
    {
        (Uart16550 _, PortSpace ports, RecordingLine irq, MemorySerialSink _) = Create();
        ports.Out(0x3F9, 1, 0x02);
        Assert.True(irq.Level);
        Assert.Equal(0x02u, ports.In(0x3FA, 1)); // THR empty, no FIFO
        Assert.False(irq.Level);
        Assert.Equal(0x01u, ports.In(0x3FA, 1));
        ports.Out(0x3F8, 1, (uint)'x');
        Assert.True(irq.Level); // empty again after the byte left
    }

    [Fact]
    public void LoopbackEchoesAndMirrorsModemLines()
    {
        (Uart16550 _, PortSpace ports, RecordingLine _, MemorySerialSink sink) = Create();
        ports.Out(0x3FC, 1, 0x1F); // loopback with DTR, RTS, OUT1, OUT2
        Assert.Equal(0xF0u, ports.In(0x3FE, 1));
        ports.Out(0x3F8, 1, 0xAE);
        Assert.Equal(0x01u, ports.In(0x3FD, 1) & 0x01);
        Assert.Equal(0xAEu, ports.In(0x3F8, 1));
        Assert.Empty(sink.Bytes);
        ports.Out(0x3FC, 1, 0x10);
        Assert.Equal(0x00u, ports.In(0x3FE, 1));
    }

    [Fact]
    public void ScratchRegisterHoldsAByte()
    {
        (Uart16550 _, PortSpace ports, RecordingLine _, MemorySerialSink _) = Create();
        ports.Out(0x3FF, 1, 0x5A);
        Assert.Equal(0x5Au, ports.In(0x3FF, 1));
    }
}
