namespace Emulator.Gdb;

/// <summary>What arrived from the debugger's side.</summary>
public enum GdbInputKind
{
    /// <summary>A packet with a good checksum (its payload, still escaped).</summary>
    Packet,

    /// <summary>The interrupt byte 0x03 outside a packet (Ctrl-C in gdb).</summary>
    Interrupt,

    /// <summary>A debugger connected.</summary>
    Connected,

    /// <summary>The connection closed or failed.</summary>
    Disconnected,
}
