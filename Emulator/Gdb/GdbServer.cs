using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Emulator.Machines;

namespace Emulator.Gdb;

/// <summary>
/// emu's gdb stub: listens on a TCP port (QEMU's <c>-gdb tcp::PORT</c>), one connection at a time, and
/// serves it as the machine's <see cref="IMachineDebugger"/>. A connection stops the machine, as attaching
/// does on QEMU; Ctrl-C (0x03) stops a running guest; a dropped connection or a detach removes the
/// debugger's breakpoints and lets the guest run on. With <c>waitForAttach</c> (<c>-S</c>) the machine
/// waits for the first connection before its first instruction. Stopped, the guest's time stands still on
/// the deterministic clock (it follows instructions retired).
/// </summary>
public sealed class GdbServer : IMachineDebugger, IDisposable
{
    private readonly Machine machine;
    private readonly bool kernelIs64Bit;
    private readonly BlockingCollection<GdbInput> inputs = [];
    private TcpListener? listener;
    private GdbConnection? current;
    private GdbSession? session;
    private volatile bool wantsStop;
    private volatile bool interrupted;
    private bool waitingForFirst;
    private bool awaitingStopReply;

    public GdbServer(Machine machine, bool waitForAttach, bool kernelIs64Bit)
    {
        this.machine = machine;
        this.kernelIs64Bit = kernelIs64Bit;
        waitingForFirst = waitForAttach;
        wantsStop = waitForAttach;
        machine.Debugger = this;
    }

    /// <summary>The port listened on (useful with port 0).</summary>
    public int Port => listener is null ? 0 : ((IPEndPoint)listener.LocalEndpoint).Port;

    public bool WantsStop => wantsStop;

    /// <summary>Starts listening on localhost:<paramref name="port"/>; throws <see cref="SocketException"/> when the port is taken.</summary>
    public void Listen(int port)
    {
        listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        var thread = new Thread(AcceptLoop) { IsBackground = true, Name = "emu gdb listener" };
        thread.Start();
    }

    /// <summary>Serves a connection over any stream (tests use an in-memory pipe).</summary>
    public GdbConnection Attach(Stream stream)
    {
        var connection = new GdbConnection(stream, Post);
        connection.Start();
        return connection;
    }

    public bool Serve(bool debugEvent)
    {
        wantsStop = false;
        if (awaitingStopReply && current is not null && session is not null && (debugEvent || interrupted))
        {
            current.Send(session.StopReply(interrupted && !debugEvent));
            awaitingStopReply = false;
        }

        interrupted = false;
        while (true)
        {
            if (current is null && !waitingForFirst && inputs.Count == 0)
            {
                return true; // nobody to serve: a stale request never holds the machine
            }

            GdbInput input = inputs.Take();
            switch (input.Kind)
            {
                case GdbInputKind.Connected:
                    if (current is { Closed: false })
                    {
                        input.Connection.Dispose(); // one debugger at a time
                        continue;
                    }

                    current = input.Connection;
                    session = new GdbSession(machine, kernelIs64Bit);
                    awaitingStopReply = false;
                    wantsStop = false; // the stop this attach asked for is this one
                    continue;
                case GdbInputKind.Disconnected when input.Connection == current:
                    Forget();
                    wantsStop = false; // the stop this drop asked for is this one
                    if (waitingForFirst)
                    {
                        continue;
                    }

                    return true;
                case GdbInputKind.Packet when input.Connection == current && session is not null:
                    (string? reply, GdbResume resume) = session.Handle(input.Text);
                    if (reply is not null)
                    {
                        current.Send(reply);
                    }

                    current.NoAck = session.NoAckRequested;
                    if (Act(resume) is bool keepRunning)
                    {
                        return keepRunning;
                    }

                    continue;
                default:
                    continue; // stale input of a closed connection, or Ctrl-C while already stopped
            }
        }
    }

    /// <summary>Tells a connected gdb that the machine is gone (<c>W</c> with the exit status), then closes.</summary>
    public void MachineEnded(int exitStatus)
    {
        current?.Send($"W{exitStatus & 0xFF:x2}");
        Dispose();
    }

    public void Dispose()
    {
        listener?.Stop();
        current?.Dispose();
        if (machine.Debugger == this)
        {
            machine.Debugger = null;
        }
    }

    private bool? Act(GdbResume resume)
    {
        switch (resume)
        {
            case GdbResume.Continue or GdbResume.Step:
                waitingForFirst = false;
                awaitingStopReply = true;
                machine.Processor.Debugger.Resume(step: resume == GdbResume.Step);
                return true;
            case GdbResume.Detach:
                current?.Dispose();
                Forget();
                waitingForFirst = false;
                return true;
            case GdbResume.Kill:
                current?.Dispose();
                Forget();
                return false;
            default:
                return null;
        }
    }

    private void Forget()
    {
        current = null;
        session = null;
        awaitingStopReply = false;
        machine.Processor.Debugger.Clear();
        machine.Processor.Debugger.Resume(step: false);
    }

    private void Post(GdbInput input)
    {
        // Attaching and Ctrl-C stop the machine; a drop is seen at once so the guest runs on unwatched. The flags
        // are set before the input is queued, so serving the input also serves the stop it asked for.
        if (input.Kind != GdbInputKind.Packet)
        {
            interrupted |= input.Kind == GdbInputKind.Interrupt;
            wantsStop = true;
            machine.WakeForDebugger();
        }

        inputs.Add(input);
    }

    private void AcceptLoop()
    {
        try
        {
            while (true)
            {
                TcpClient client = listener!.AcceptTcpClient();
                client.NoDelay = true;
                Attach(client.GetStream());
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The listener stopped.
        }
    }
}
