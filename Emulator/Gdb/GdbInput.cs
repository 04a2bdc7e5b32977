namespace Emulator.Gdb;

/// <summary>One event from a connection, in arrival order.</summary>
public sealed record GdbInput(GdbInputKind Kind, GdbConnection Connection, byte[] Payload)
{
    public string Text => System.Text.Encoding.Latin1.GetString(Payload);
}
