using System.Globalization;
using System.Text;
using Cpu;
using Cpu.Debug;
using Cpu.System;
using Emulator.Machines;
using Mmu.Watch;

namespace Emulator.Gdb;

/// <summary>
/// The command handlers of one gdb connection (GDB manual, "Packets"): it answers each packet from the
/// stopped machine's state. All-stop, one thread per CPU (one CPU). Unknown packets get the empty reply,
/// malformed ones an error reply; neither disturbs the machine.
/// </summary>
public sealed class GdbSession
{
    private const string Thread = "01";
    private readonly Machine machine;
    private readonly bool kernelIs64Bit;
    private GdbRegisterSet? registers;

    public GdbSession(Machine machine, bool kernelIs64Bit)
    {
        this.machine = machine;
        this.kernelIs64Bit = kernelIs64Bit;
    }

    /// <summary>Set once gdb asked for QStartNoAckMode: the connection stops acknowledging.</summary>
    public bool NoAckRequested { get; private set; }

    private Processor Target => machine.Processor;

    /// <summary>
    /// The register layout gdb holds: the description it last read (<c>g</c>/<c>p</c> must keep to it until
    /// it reads another), or before any read the one for the current mode.
    /// </summary>
    public GdbRegisterSet Registers => registers ??= ForCurrentMode;

    /// <summary>
    /// The description for the guest's mode now: i386:x86-64 in long mode or for a 64-bit kernel (gdb
    /// rejects i386 for an ELF64 file), else i386. gdb reads it when it connects and again on
    /// <c>unset tdesc filename</c>, so a description read after the guest switched modes follows it.
    /// </summary>
    private GdbRegisterSet ForCurrentMode => ProcessorMode.IsLongModeActive(Target.State) || kernelIs64Bit ? GdbRegisterSet.Amd64 : GdbRegisterSet.I386;

    /// <summary>Handles one packet: the reply to send (null for none) and what the machine must do next.</summary>
    public (string? Reply, GdbResume Resume) Handle(string packet)
    {
        try
        {
            return Dispatch(packet);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException or IndexOutOfRangeException)
        {
            return ("E01", GdbResume.None);
        }
    }

    /// <summary>The stop reply for the current stop (GDB manual, "Stop Reply Packets").</summary>
    public string StopReply(bool interrupted)
    {
        ExternalDebugger d = Target.Debugger;
        if (interrupted || d.LastStop == DebugStopKind.None)
        {
            return $"T{(interrupted ? "02" : "05")}thread:{Thread};";
        }

        if (d.LastStop == DebugStopKind.Watchpoint)
        {
            DataWatchpoint w = d.LastWatchpoint;
            string kind = w.Kind switch { WatchKind.Write => "watch", WatchKind.Read => "rwatch", _ => "awatch" };
            return $"T05{kind}:{w.Start:x};thread:{Thread};";
        }

        return $"T05thread:{Thread};";
    }

    private (string? Reply, GdbResume Resume) Dispatch(string p)
    {
        if (p.Length == 0)
        {
            return (string.Empty, GdbResume.None);
        }

        switch (p[0])
        {
            case '?': return (StopReply(interrupted: false), GdbResume.None);
            case 'g': return (ReadAllRegisters(), GdbResume.None);
            case 'G': return (WriteAllRegisters(p[1..]), GdbResume.None);
            case 'p': return (ReadRegister(p[1..]), GdbResume.None);
            case 'P': return (WriteRegister(p[1..]), GdbResume.None);
            case 'm': return (ReadMemory(p[1..]), GdbResume.None);
            case 'M': return (WriteMemory(p[1..], binary: false), GdbResume.None);
            case 'X': return (WriteMemory(p[1..], binary: true), GdbResume.None);
            case 'Z': return (Breakpoint(p[1..], insert: true), GdbResume.None);
            case 'z': return (Breakpoint(p[1..], insert: false), GdbResume.None);
            case 'c': return Resume(p[1..], GdbResume.Continue);
            case 's': return Resume(p[1..], GdbResume.Step);
            case 'C': return (null, GdbResume.Continue); // the signal means nothing to a machine
            case 'S': return (null, GdbResume.Step);
            case 'D': return ("OK", GdbResume.Detach);
            case 'k': return (null, GdbResume.Kill);
            case 'H': return ("OK", GdbResume.None);
            case 'T': return (p[1..].TrimStart('p') is "01" or "1" or "-1" ? "OK" : "E01", GdbResume.None);
        }

        if (p.StartsWith("vCont", StringComparison.Ordinal))
        {
            return VCont(p);
        }

        if (p.StartsWith("qSupported", StringComparison.Ordinal))
        {
            return ("PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+", GdbResume.None);
        }

        if (p == "QStartNoAckMode")
        {
            NoAckRequested = true;
            return ("OK", GdbResume.None);
        }

        if (p.StartsWith("qXfer:features:read:", StringComparison.Ordinal))
        {
            return (ReadFeatures(p["qXfer:features:read:".Length..]), GdbResume.None);
        }

        if (p.StartsWith("qRcmd,", StringComparison.Ordinal))
        {
            string command = Encoding.Latin1.GetString(Convert.FromHexString(p["qRcmd,".Length..]));
            return (Convert.ToHexString(Encoding.UTF8.GetBytes(GdbMonitor.Run(machine, command))).ToLowerInvariant(), GdbResume.None);
        }

        return p switch
        {
            "qAttached" => ("1", GdbResume.None),
            "qC" => ("QC" + Thread, GdbResume.None),
            "qfThreadInfo" => ("m" + Thread, GdbResume.None),
            "qsThreadInfo" => ("l", GdbResume.None),
            _ => (string.Empty, GdbResume.None),
        };
    }

    private (string? Reply, GdbResume Resume) Resume(string address, GdbResume how)
    {
        if (address.Length > 0)
        {
            Target.State.Rip = ParseHex(address);
        }

        return (null, how);
    }

    private (string? Reply, GdbResume Resume) VCont(string p)
    {
        if (p == "vCont?")
        {
            return ("vCont;c;C;s;S", GdbResume.None);
        }

        // One thread: the first action that names it (or no thread) decides.
        foreach (string action in p.Split(';').Skip(1))
        {
            switch (action.Length > 0 ? action[0] : ' ')
            {
                case 's' or 'S': return (null, GdbResume.Step);
                case 'c' or 'C': return (null, GdbResume.Continue);
            }
        }

        return ("E01", GdbResume.None);
    }

    private string ReadAllRegisters()
    {
        var hex = new StringBuilder(Registers.TotalBytes * 2);
        foreach (GdbRegister r in Registers.Registers)
        {
            hex.Append(Convert.ToHexStringLower(r.Read(Target)));
        }

        return hex.ToString();
    }

    private string WriteAllRegisters(string hex)
    {
        byte[] data = Convert.FromHexString(hex);
        int offset = 0;
        foreach (GdbRegister r in Registers.Registers)
        {
            if (offset + r.Bytes > data.Length)
            {
                break;
            }

            r.Write?.Invoke(Target, data[offset..(offset + r.Bytes)]);
            offset += r.Bytes;
        }

        return "OK";
    }

    private string ReadRegister(string number)
    {
        int n = (int)ParseHex(number);
        if (n >= Registers.Registers.Count)
        {
            return "E01";
        }

        return Convert.ToHexStringLower(Registers.Registers[n].Read(Target));
    }

    private string WriteRegister(string assignment)
    {
        string[] parts = assignment.Split('=');
        int n = (int)ParseHex(parts[0]);
        if (parts.Length != 2 || n >= Registers.Registers.Count)
        {
            return "E01";
        }

        GdbRegister r = Registers.Registers[n];
        byte[] value = Convert.FromHexString(parts[1]);
        Array.Resize(ref value, r.Bytes);
        r.Write?.Invoke(Target, value);
        return "OK";
    }

    private string ReadMemory(string request)
    {
        (ulong address, int length) = ParseRange(request);
        var data = new byte[Math.Min(length, 0x2000)];
        int read = machine.Memory.InspectRead(address, data);
        return read == 0 && data.Length > 0 ? "E14" : Convert.ToHexString(data, 0, read).ToLowerInvariant();
    }

    private string WriteMemory(string request, bool binary)
    {
        int colon = request.IndexOf(':');
        (ulong address, int length) = ParseRange(request[..colon]);
        string body = request[(colon + 1)..];
        byte[] data = binary ? GdbFraming.Unescape(Encoding.Latin1.GetBytes(body)) : Convert.FromHexString(body);
        if (data.Length != length)
        {
            return "E01";
        }

        return machine.Memory.InspectWrite(address, data) ? "OK" : "E14";
    }

    private string Breakpoint(string request, bool insert)
    {
        string[] parts = request.Split(';')[0].Split(',');
        if (parts.Length < 3)
        {
            return "E01";
        }

        ulong address = ParseHex(parts[1]);
        ulong length = ParseHex(parts[2]);
        ExternalDebugger d = Target.Debugger;
        switch (parts[0])
        {
            case "0" or "1":
                _ = insert ? d.AddBreakpoint(address) : d.RemoveBreakpoint(address);
                return "OK";
            case "2" or "3" or "4":
                if (length == 0)
                {
                    return "E01";
                }

                WatchKind kind = parts[0] == "2" ? WatchKind.Write : parts[0] == "3" ? WatchKind.Read : WatchKind.Access;
                if (insert)
                {
                    d.AddWatchpoint(address, length, kind);
                }
                else
                {
                    d.RemoveWatchpoint(address, length, kind);
                }

                return "OK";
            default:
                return string.Empty;
        }
    }

    private string ReadFeatures(string request)
    {
        // annex:offset,length
        int colon = request.IndexOf(':');
        if (colon < 0 || request[..colon] != "target.xml")
        {
            return "E00";
        }

        (ulong offset, int length) = ParseRange(request[(colon + 1)..]);
        if (offset == 0)
        {
            registers = ForCurrentMode; // a new read: from here on gdb holds this layout
        }

        string xml = GdbTargetDescription.Xml(Registers);
        if (offset >= (ulong)xml.Length)
        {
            return "l";
        }

        int start = (int)offset;
        int count = Math.Min(length, xml.Length - start);
        return (start + count >= xml.Length ? "l" : "m") + xml.Substring(start, count);
    }

    private static (ulong Address, int Length) ParseRange(string text)
    {
        string[] parts = text.Split(',');
        if (parts.Length != 2)
        {
            throw new FormatException("expected ADDR,LENGTH");
        }

        return (ParseHex(parts[0]), checked((int)ParseHex(parts[1])));
    }

    private static ulong ParseHex(string text) => ulong.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
