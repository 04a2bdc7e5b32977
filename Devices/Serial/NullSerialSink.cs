namespace Devices.Serial;

/// <summary>Drops transmitted bytes (--serial none).</summary>
public sealed class NullSerialSink : ISerialSink
{
    public static readonly NullSerialSink Instance = new();

    public void Write(byte value)
    {
    }

    public void Flush()
    {
    }
}
