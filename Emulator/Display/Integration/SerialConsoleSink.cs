using Devices.Serial;
using Emulator.Display.Text;

namespace Emulator.Display.Integration;

/// <summary>
/// A serial sink that draws what the guest writes to COM1 on a <see cref="SerialConsoleScreen"/>, for the
/// window to show before the guest sets a graphics mode. Put it beside the usual sink with TeeSerialSink.
/// </summary>
public sealed class SerialConsoleSink(SerialConsoleScreen screen) : ISerialSink
{
    public void Write(byte value) => screen.Write(value);

    public void Flush()
    {
    }
}
