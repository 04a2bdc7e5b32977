namespace Devices.Serial;

/// <summary>Writes transmitted bytes to a stream (stdout or a file), flushing at each newline.</summary>
public sealed class StreamSerialSink(Stream stream, bool ownsStream) : ISerialSink, IDisposable
{
    public void Write(byte value)
    {
        stream.WriteByte(value);
        if (value == (byte)'\n')
        {
            stream.Flush();
        }
    }

    public void Flush() => stream.Flush();

    public void Dispose()
    {
        stream.Flush();
        if (ownsStream)
        {
            stream.Dispose();
        }
    }
}
