namespace Emulator.Display.Keyboard;

/// <summary>
/// Decides where each key event of the window goes: to the guest as PS/2 scancodes, or, while the host key
/// (right Ctrl) is held, to the emulator as a <see cref="HostShortcut"/>. The host key itself never reaches
/// the guest. The router remembers which keys the guest saw pressed, so a key released while the host key is
/// held still gets its break code, repeats reach the guest only for keys it saw go down, and
/// <see cref="ReleaseAll"/> (the window lost focus) lets no key stick.
/// </summary>
public sealed class KeyboardRouter(IKeyboardSink sink)
{
    /// <summary>The key that opens the emulator's shortcuts.</summary>
    public const Key HostKey = Key.RightControl;

    private readonly HashSet<Key> pressedInGuest = [];
    private bool hostHeld;

    /// <summary>True while the host key is down.</summary>
    public bool HostKeyHeld => hostHeld;

    /// <summary>Routes one GLFW key event; returns the shortcut it triggered, or <see cref="HostShortcut.None"/>.</summary>
    public HostShortcut Handle(Key key, KeyAction action)
    {
        if (key == HostKey)
        {
            hostHeld = action != KeyAction.Release;
            return HostShortcut.None;
        }

        if (hostHeld && !pressedInGuest.Contains(key))
        {
            return action == KeyAction.Press ? ShortcutFor(key) : HostShortcut.None;
        }

        switch (action)
        {
            case KeyAction.Press:
                pressedInGuest.Add(key);
                break;
            case KeyAction.Repeat:
                if (!pressedInGuest.Contains(key))
                {
                    return HostShortcut.None;
                }

                break;
            case KeyAction.Release:
                if (!pressedInGuest.Remove(key))
                {
                    return HostShortcut.None;
                }

                break;
        }

        Send(key, action);
        return HostShortcut.None;
    }

    /// <summary>Sends break codes for every key the guest believes is down (call when the window loses focus).</summary>
    public void ReleaseAll()
    {
        foreach (Key key in pressedInGuest)
        {
            Send(key, KeyAction.Release);
        }

        pressedInGuest.Clear();
        hostHeld = false;
    }

    /// <summary>The shortcut a letter typed with the host key stands for.</summary>
    public static HostShortcut ShortcutFor(Key key) => key switch
    {
        Key.P => HostShortcut.TogglePause,
        Key.R => HostShortcut.Reset,
        Key.S => HostShortcut.Screenshot,
        Key.O => HostShortcut.ToggleOverlay,
        Key.I => HostShortcut.ToggleIntegerScaling,
        Key.Q => HostShortcut.PowerOff,
        _ => HostShortcut.None,
    };

    private void Send(Key key, KeyAction action)
    {
        Span<byte> bytes = stackalloc byte[ScancodeTable.MaxSequenceLength];
        int n = ScancodeTable.Encode(key, action, sink.Set, bytes);
        if (n > 0)
        {
            sink.Scancodes(bytes[..n]);
        }
    }
}
