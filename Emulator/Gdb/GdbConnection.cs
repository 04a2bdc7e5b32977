namespace Emulator.Gdb;

/// <summary>
/// One debugger connection over a stream (a TCP socket, or an in-memory pipe in tests): a reader thread
/// decodes what gdb sends and posts it, acknowledging good packets with <c>+</c> until
/// <c>QStartNoAckMode</c>; <see cref="Send(string)"/> frames replies. An I/O error only ends the connection.
/// </summary>
public sealed class GdbConnection : IDisposable
{
    private readonly Stream stream;
    private readonly Action<GdbInput> post;
    private readonly Lock writeLock = new();
    private volatile bool closed;

    public GdbConnection(Stream stream, Action<GdbInput> post)
    {
        this.stream = stream;
        this.post = post;
    }

    /// <summary>Acknowledgements are off once gdb asked for QStartNoAckMode and got OK.</summary>
    public bool NoAck { get; set; }

    public bool Closed => closed;

    /// <summary>Starts the reader thread; it posts <see cref="GdbInputKind.Connected"/> first.</summary>
    public void Start()
    {
        post(new GdbInput(GdbInputKind.Connected, this, []));
        var thread = new Thread(ReadLoop) { IsBackground = true, Name = "emu gdb reader" };
        thread.Start();
    }

    /// <summary>Sends one packet; false when the connection is gone.</summary>
    public bool Send(string payload) => Send(GdbFraming.Frame(payload));

    public bool Send(byte[] framed)
    {
        if (closed)
        {
            return false;
        }

        try
        {
            lock (writeLock)
            {
                stream.Write(framed);
                stream.Flush();
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Dispose();
            return false;
        }
    }

    public void Dispose()
    {
        closed = true;
        try
        {
            stream.Dispose();
        }
        catch (IOException)
        {
        }
    }

    private void ReadLoop()
    {
        var decoder = new GdbPacketDecoder();
        var buffer = new byte[4096];
        try
        {
            int n;
            while (!closed && (n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    switch (decoder.Feed(buffer[i]))
                    {
                        case GdbDecoded.Packet:
                            if (!NoAck)
                            {
                                Send([(byte)'+']);
                            }

                            post(new GdbInput(GdbInputKind.Packet, this, decoder.Payload));
                            break;
                        case GdbDecoded.BadPacket:
                            Send([(byte)'-']);
                            break;
                        case GdbDecoded.Interrupt:
                            post(new GdbInput(GdbInputKind.Interrupt, this, []));
                            break;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }

        Dispose();
        post(new GdbInput(GdbInputKind.Disconnected, this, []));
    }
}
