namespace Emulator.Gdb;

/// <summary>What one byte fed to <see cref="GdbPacketDecoder"/> completed.</summary>
public enum GdbDecoded
{
    None,
    Packet,
    BadPacket,
    Interrupt,
}
