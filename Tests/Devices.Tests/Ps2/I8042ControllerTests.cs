using Devices.Ps2;
using Devices.Tests.Support;
using Mmu.Io;

namespace Devices.Tests.Ps2;

public class I8042ControllerTests
{
    private static (I8042Controller Kbc, PortSpace Ports, RecordingLine Irq) Create()
    {
        var irq = new RecordingLine();
        var kbc = new I8042Controller(irq);
        var ports = new PortSpace();
        kbc.Register(ports);
        return (kbc, ports, irq);
    }

    private static byte ReadData(PortSpace ports)
    {
        Assert.Equal(0x01u, ports.In(0x64, 1) & 0x01);
        return (byte)ports.In(0x60, 1);
    }

    [Fact]
    public void SelfTestAndInterfaceTestPass()
    {
        (I8042Controller _, PortSpace ports, RecordingLine _) = Create();
        ports.Out(0x64, 1, 0xAD); // disable keyboard first, as Linux does
        ports.Out(0x64, 1, 0xAA);
        Assert.Equal(0x55, ReadData(ports));
        ports.Out(0x64, 1, 0xAB);
        Assert.Equal(0x00, ReadData(ports));
        Assert.Equal(0x04u, ports.In(0x64, 1) & 0x04); // system flag
    }

    [Fact]
    public void CommandByteReadsAndWrites()
    {
        (I8042Controller kbc, PortSpace ports, RecordingLine _) = Create();
        ports.Out(0x64, 1, 0x20);
        byte cmd = ReadData(ports);
        Assert.Equal(0x40, cmd & 0x40); // translation on
        ports.Out(0x64, 1, 0x60);
        ports.Out(0x60, 1, 0x07);
        Assert.Equal(0x07, kbc.CommandByte);
        ports.Out(0x64, 1, 0x20);
        Assert.Equal(0x07, ReadData(ports));
    }

    [Fact]
    public void KeyboardResetRepliesAckAndSelfTestPassed()
    {
        (I8042Controller _, PortSpace ports, RecordingLine irq) = Create();
        ports.Out(0x60, 1, 0xFF);
        Assert.True(irq.Level);
        Assert.Equal(0xFA, ReadData(ports));
        Assert.Equal(0xAA, ReadData(ports));
        Assert.Equal(0x00u, ports.In(0x64, 1) & 0x01);
    }

    [Fact]
    public void ScancodeSetAndLedCommandsAreAcknowledged()
    {
        (I8042Controller kbc, PortSpace ports, RecordingLine _) = Create();
        ports.Out(0x60, 1, 0xF0);
        Assert.Equal(0xFA, ReadData(ports));
        ports.Out(0x60, 1, 0x00);
        Assert.Equal(0xFA, ReadData(ports));
        Assert.Equal(0x02, ReadData(ports));
        ports.Out(0x60, 1, 0xED);
        Assert.Equal(0xFA, ReadData(ports));
        ports.Out(0x60, 1, 0x04);
        Assert.Equal(0xFA, ReadData(ports));
        Assert.Equal(4, kbc.Leds);
    }

    [Fact]
    public void InjectedSet2KeysAreTranslatedToSet1()
    {
        (I8042Controller kbc, PortSpace ports, RecordingLine irq) = Create();
        kbc.PressKey(0x1C); // 'A'
        kbc.ReleaseKey(0x1C);
        kbc.PressKey(0xE075); // cursor up
        kbc.PumpInput();
        Assert.True(irq.Level);
        Assert.Equal(0x1E, ReadData(ports));
        Assert.Equal(0x9E, ReadData(ports));
        Assert.Equal(0xE0, ReadData(ports));
        Assert.Equal(0x48, ReadData(ports));
        Assert.False(irq.Level);
    }

    [Fact]
    public void WithoutTranslationSet2BytesPassThrough()
    {
        (I8042Controller kbc, PortSpace ports, RecordingLine _) = Create();
        ports.Out(0x64, 1, 0x60);
        ports.Out(0x60, 1, 0x01); // interrupts on, no translation
        kbc.InjectScancodes([0x1C, 0xF0, 0x1C]);
        kbc.PumpInput();
        Assert.Equal(0x1C, ReadData(ports));
        Assert.Equal(0xF0, ReadData(ports));
        Assert.Equal(0x1C, ReadData(ports));
    }

    [Fact]
    public void DisabledScanningDropsKeys()
    {
        (I8042Controller kbc, PortSpace ports, RecordingLine _) = Create();
        ports.Out(0x60, 1, 0xF5);
        Assert.Equal(0xFA, ReadData(ports));
        kbc.PressKey(0x1C);
        kbc.PumpInput();
        Assert.Equal(0x00u, ports.In(0x64, 1) & 0x01);
    }

    [Fact]
    public void MouseIdentifyThroughD4HasTheAuxBit()
    {
        (I8042Controller _, PortSpace ports, RecordingLine _) = Create();
        ports.Out(0x64, 1, 0xA8);
        ports.Out(0x64, 1, 0xD4);
        ports.Out(0x60, 1, 0xF2);
        Assert.Equal(0x21u, ports.In(0x64, 1) & 0x21);
        Assert.Equal(0xFAu, ports.In(0x60, 1));
        Assert.Equal(0x21u, ports.In(0x64, 1) & 0x21);
        Assert.Equal(0x00u, ports.In(0x60, 1));
        Assert.Equal(0x00u, ports.In(0x64, 1) & 0x01);
    }

    [Fact]
    public void ResetCommandAsksForASystemReset()
    {
        (I8042Controller kbc, PortSpace ports, RecordingLine _) = Create();
        bool reset = false;
        kbc.ResetRequested += () => reset = true;
        ports.Out(0x64, 1, 0xFE);
        Assert.True(reset);
    }
}
