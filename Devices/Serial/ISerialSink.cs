namespace Devices.Serial;

/// <summary>Where a serial port's transmitted bytes go (the host terminal, a file, memory for tests).</summary>
public interface ISerialSink
{
    void Write(byte value);

    void Flush();
}
