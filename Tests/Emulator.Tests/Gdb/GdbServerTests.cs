using System.Net.Sockets;
using System.Text;
using Emulator.Gdb;
using Emulator.Machines;

namespace Emulator.Tests.Gdb;

/// <summary>
/// The stub serving a running machine over a loopback connection: it waits for the debugger before the first
/// instruction, Ctrl-C stops a running guest, bad packets are refused without harm, and a dropped connection
/// lets the guest run on to its end.
/// </summary>
public class GdbServerTests
{
    [Fact]
    public void CtrlCStopsARunningGuestAndADropLetsItFinish()
    {
        using Machine machine = ProcessorDebuggerTests.Boot(Cpu.Translation.JitMode.On);
        using var server = new GdbServer(machine, waitForAttach: true, kernelIs64Bit: true);
        RunResult? result = null;
        var run = new Thread(() => result = machine.RunUntil(new RunCondition { WallTimeout = TimeSpan.FromSeconds(120) }));
        run.Start();

        server.Listen(0);
        using var client = new TcpClient("127.0.0.1", server.Port);
        NetworkStream send = client.GetStream();
        NetworkStream receive = send;

        send.Write(GdbFraming.Frame("?"));
        Assert.Equal("T05thread:01;", ReadPacket(receive));
        Assert.Equal(0, machine.Processor.InstructionsRetired); // -S: nothing ran before the debugger came

        send.Write("$garbage#00"u8); // a bad checksum: refused, nothing else happens
        send.Write(GdbFraming.Frame("c"));
        send.WriteByte(0x03);
        Assert.Equal("T02thread:01;", ReadPacket(receive));

        client.Close(); // the debugger goes away: the guest runs on
        Assert.True(run.Join(TimeSpan.FromSeconds(120)));
        Assert.Equal(StopCause.DebugExit, result?.Cause);
        Assert.Contains("TEST boot: PASS", machine.SerialTranscript);
    }

    /// <summary>Reads past acknowledgements to the next packet and returns its payload.</summary>
    private static string ReadPacket(Stream s)
    {
        var text = new StringBuilder();
        int b;
        while ((b = s.ReadByte()) != '$')
        {
            Assert.NotEqual(-1, b);
        }

        while ((b = s.ReadByte()) != '#')
        {
            text.Append((char)b);
        }

        s.ReadByte();
        s.ReadByte();
        return text.ToString();
    }
}
