using Devices.Serial;
using Emulator.Display.Text;

namespace Emulator.Display.Integration;

/// <summary>
/// COM1's sink in <c>emu run</c>: the usual destination (terminal, file or nothing), then the serial console
/// screen the window shows before a graphics mode, then the <c>--screenshot-at</c> watch, in that order so a
/// screenshot taken at the text already shows it. Disposing it disposes the usual destination, as the
/// machine does with a sink it was given.
/// </summary>
public sealed class DisplaySerialSink(ISerialSink? destination, SerialConsoleScreen console, SerialTextWatch? watch) : ISerialSink, IDisposable
{
    public void Write(byte value)
    {
        destination?.Write(value);
        console.Write(value);
        watch?.Write(value);
    }

    public void Flush() => destination?.Flush();

    public void Dispose() => (destination as IDisposable)?.Dispose();
}
