using Devices.Ps2;
using Emulator.Display.Keyboard;

namespace Emulator.Display.Integration;

/// <summary>
/// Sends the window's keys to the machine's i8042. The keyboard behind the controller always speaks set 2 to
/// it; the controller translates to set 1 for the guest when its command byte says so (the PC default), so
/// the window hands it set-2 bytes. The controller queues them for the CPU thread.
/// </summary>
public sealed class I8042KeyboardSink(I8042Controller controller) : IKeyboardSink
{
    public ScancodeSet Set => ScancodeSet.Set2;

    public void Scancodes(ReadOnlySpan<byte> bytes) => controller.InjectScancodes(bytes);
}
