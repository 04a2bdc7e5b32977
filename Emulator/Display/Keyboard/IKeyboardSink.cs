namespace Emulator.Display.Keyboard;

/// <summary>
/// Where the window sends scancodes: the machine's i8042 keyboard. Called on the window's thread; the
/// implementation must hand the bytes to the emulation thread itself (a queue).
/// </summary>
public interface IKeyboardSink
{
    /// <summary>The set the keyboard currently sends in (set 2 unless the guest chose another with command F0).</summary>
    ScancodeSet Set { get; }

    /// <summary>Bytes the keyboard sends for one key event, in <see cref="Set"/>.</summary>
    void Scancodes(ReadOnlySpan<byte> bytes);
}
