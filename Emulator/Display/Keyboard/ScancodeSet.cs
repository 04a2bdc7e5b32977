namespace Emulator.Display.Keyboard;

/// <summary>The PS/2 keyboard scancode sets the window can produce.</summary>
public enum ScancodeSet
{
    /// <summary>XT codes: break = make | 0x80. What the i8042 delivers to the guest when translation is on.</summary>
    Set1 = 1,

    /// <summary>AT codes, the keyboard's default: break = F0 before the last byte.</summary>
    Set2 = 2,
}
