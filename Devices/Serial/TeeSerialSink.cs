namespace Devices.Serial;

/// <summary>Sends each byte to two sinks (for example the terminal and an in-memory transcript).</summary>
public sealed class TeeSerialSink(ISerialSink first, ISerialSink second) : ISerialSink
{
    public void Write(byte value)
    {
        first.Write(value);
        second.Write(value);
    }

    public void Flush()
    {
        first.Flush();
        second.Flush();
    }
}
