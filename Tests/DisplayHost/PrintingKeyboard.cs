using Emulator.Display.Keyboard;

namespace DisplayHost;

/// <summary>Stands in for the i8042: prints each key event's scancodes (set 2) as hex on stdout.</summary>
internal sealed class PrintingKeyboard : IKeyboardSink
{
    public ScancodeSet Set => ScancodeSet.Set2;

    public void Scancodes(ReadOnlySpan<byte> bytes) => Console.WriteLine("SCANCODES " + Convert.ToHexString(bytes));
}
