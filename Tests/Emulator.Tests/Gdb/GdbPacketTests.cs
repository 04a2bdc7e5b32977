using System.IO.Pipelines;
using System.Text;
using Emulator.Gdb;

namespace Emulator.Tests.Gdb;

/// <summary>The remote protocol's framing: checksums, escapes, acknowledgements, Ctrl-C and garbage, over an in-memory stream.</summary>
public class GdbPacketTests
{
    [Fact]
    public void FrameAddsTheModulo256Checksum()
    {
        Assert.Equal("$OK#9a", Encoding.ASCII.GetString(GdbFraming.Frame("OK")));
        Assert.Equal("$#00", Encoding.ASCII.GetString(GdbFraming.Frame(string.Empty)));
    }

    [Fact]
    public void FrameEscapesTheProtocolsSpecialBytes()
    {
        byte[] framed = GdbFraming.Frame([(byte)'$', (byte)'#', (byte)'}', (byte)'*', (byte)'a']);
        Assert.Equal("$}\u0004}\u0003}]}\na#", Encoding.Latin1.GetString(framed, 0, framed.Length - 2));
        Assert.Equal("$#}*a"u8.ToArray(), GdbFraming.Unescape(framed.AsSpan(1, framed.Length - 4)));
    }

    [Fact]
    public void DecoderYieldsPacketsInterruptsAndRejectsBadChecksums()
    {
        var decoder = new GdbPacketDecoder();
        var seen = new List<string>();
        foreach (byte b in "+$g#67\u0003$m0,4#00junk$?#3f"u8)
        {
            switch (decoder.Feed(b))
            {
                case GdbDecoded.Packet: seen.Add("packet " + Encoding.ASCII.GetString(decoder.Payload)); break;
                case GdbDecoded.Interrupt: seen.Add("interrupt"); break;
                case GdbDecoded.BadPacket: seen.Add("bad"); break;
            }
        }

        Assert.Equal(["packet g", "interrupt", "bad", "packet ?"], seen);
    }

    [Fact]
    public void ConnectionAcknowledgesPostsAndSurvivesADrop()
    {
        var toStub = new Pipe();
        var fromStub = new Pipe();
        var inputs = new System.Collections.Concurrent.BlockingCollection<GdbInput>();
        var connection = new GdbConnection(new DuplexStream(toStub.Reader.AsStream(), fromStub.Writer.AsStream()), inputs.Add);
        connection.Start();
        Assert.Equal(GdbInputKind.Connected, Take(inputs).Kind);

        toStub.Writer.AsStream().Write("$qC#b4$bad#00\u0003"u8);
        GdbInput packet = Take(inputs);
        Assert.Equal(GdbInputKind.Packet, packet.Kind);
        Assert.Equal("qC", packet.Text);
        Assert.Equal(GdbInputKind.Interrupt, Take(inputs).Kind);
        Assert.True(connection.Send("QC01"));
        Assert.Equal("+-$QC01#f5", ReadAvailable(fromStub.Reader.AsStream(), 10));

        toStub.Writer.Complete();
        Assert.Equal(GdbInputKind.Disconnected, Take(inputs).Kind);
        Assert.False(connection.Send("OK"));
    }

    private static GdbInput Take(System.Collections.Concurrent.BlockingCollection<GdbInput> inputs)
    {
        Assert.True(inputs.TryTake(out GdbInput? input, TimeSpan.FromSeconds(10)), "nothing arrived");
        return input!;
    }

    private static string ReadAvailable(Stream s, int count)
    {
        var buffer = new byte[count];
        int done = 0;
        while (done < count)
        {
            done += s.Read(buffer, done, count - done);
        }

        return Encoding.ASCII.GetString(buffer);
    }
}
