using Emulator.Display.Keyboard;

namespace Emulator.Tests.Display;

/// <summary>A keyboard sink that records what it was sent, one hex string per event.</summary>
internal sealed class RecordingKeyboard(ScancodeSet set = ScancodeSet.Set2) : IKeyboardSink
{
    public List<string> Events { get; } = [];

    public ScancodeSet Set { get; set; } = set;

    public void Scancodes(ReadOnlySpan<byte> bytes) => Events.Add(Convert.ToHexString(bytes));
}
