namespace Emulator.Display.Keyboard;

/// <summary>
/// GLFW keys to PS/2 scancodes in set 1 and set 2 (US layout positions). A code above 0xFF carries the
/// 0xE0 prefix in its high byte. Make codes: the table; break codes: set 1 sets bit 7 of the last byte
/// (E0 kept), set 2 puts F0 before the last byte (after E0). Print Screen and Pause are multi-byte
/// sequences of their own; Pause has no break code. Keys without a PS/2 code produce nothing.
/// </summary>
public static class ScancodeTable
{
    /// <summary>The longest sequence <see cref="Encode"/> writes (Pause in set 2).</summary>
    public const int MaxSequenceLength = 8;

    private static readonly Dictionary<Key, (ushort Set1, ushort Set2)> Codes = new()
    {
        [Key.Escape] = (0x01, 0x76),
        [Key.D1] = (0x02, 0x16),
        [Key.D2] = (0x03, 0x1E),
        [Key.D3] = (0x04, 0x26),
        [Key.D4] = (0x05, 0x25),
        [Key.D5] = (0x06, 0x2E),
        [Key.D6] = (0x07, 0x36),
        [Key.D7] = (0x08, 0x3D),
        [Key.D8] = (0x09, 0x3E),
        [Key.D9] = (0x0A, 0x46),
        [Key.D0] = (0x0B, 0x45),
        [Key.Minus] = (0x0C, 0x4E),
        [Key.Equal] = (0x0D, 0x55),
        [Key.Backspace] = (0x0E, 0x66),
        [Key.Tab] = (0x0F, 0x0D),
        [Key.Q] = (0x10, 0x15),
        [Key.W] = (0x11, 0x1D),
        [Key.E] = (0x12, 0x24),
        [Key.R] = (0x13, 0x2D),
        [Key.T] = (0x14, 0x2C),
        [Key.Y] = (0x15, 0x35),
        [Key.U] = (0x16, 0x3C),
        [Key.I] = (0x17, 0x43),
        [Key.O] = (0x18, 0x44),
        [Key.P] = (0x19, 0x4D),
        [Key.LeftBracket] = (0x1A, 0x54),
        [Key.RightBracket] = (0x1B, 0x5B),
        [Key.Enter] = (0x1C, 0x5A),
        [Key.LeftControl] = (0x1D, 0x14),
        [Key.A] = (0x1E, 0x1C),
        [Key.S] = (0x1F, 0x1B),
        [Key.D] = (0x20, 0x23),
        [Key.F] = (0x21, 0x2B),
        [Key.G] = (0x22, 0x34),
        [Key.H] = (0x23, 0x33),
        [Key.J] = (0x24, 0x3B),
        [Key.K] = (0x25, 0x42),
        [Key.L] = (0x26, 0x4B),
        [Key.Semicolon] = (0x27, 0x4C),
        [Key.Apostrophe] = (0x28, 0x52),
        [Key.GraveAccent] = (0x29, 0x0E),
        [Key.LeftShift] = (0x2A, 0x12),
        [Key.Backslash] = (0x2B, 0x5D),
        [Key.Z] = (0x2C, 0x1A),
        [Key.X] = (0x2D, 0x22),
        [Key.C] = (0x2E, 0x21),
        [Key.V] = (0x2F, 0x2A),
        [Key.B] = (0x30, 0x32),
        [Key.N] = (0x31, 0x31),
        [Key.M] = (0x32, 0x3A),
        [Key.Comma] = (0x33, 0x41),
        [Key.Period] = (0x34, 0x49),
        [Key.Slash] = (0x35, 0x4A),
        [Key.RightShift] = (0x36, 0x59),
        [Key.KeypadMultiply] = (0x37, 0x7C),
        [Key.LeftAlt] = (0x38, 0x11),
        [Key.Space] = (0x39, 0x29),
        [Key.CapsLock] = (0x3A, 0x58),
        [Key.F1] = (0x3B, 0x05),
        [Key.F2] = (0x3C, 0x06),
        [Key.F3] = (0x3D, 0x04),
        [Key.F4] = (0x3E, 0x0C),
        [Key.F5] = (0x3F, 0x03),
        [Key.F6] = (0x40, 0x0B),
        [Key.F7] = (0x41, 0x83),
        [Key.F8] = (0x42, 0x0A),
        [Key.F9] = (0x43, 0x01),
        [Key.F10] = (0x44, 0x09),
        [Key.NumLock] = (0x45, 0x77),
        [Key.ScrollLock] = (0x46, 0x7E),
        [Key.Keypad7] = (0x47, 0x6C),
        [Key.Keypad8] = (0x48, 0x75),
        [Key.Keypad9] = (0x49, 0x7D),
        [Key.KeypadSubtract] = (0x4A, 0x7B),
        [Key.Keypad4] = (0x4B, 0x6B),
        [Key.Keypad5] = (0x4C, 0x73),
        [Key.Keypad6] = (0x4D, 0x74),
        [Key.KeypadAdd] = (0x4E, 0x79),
        [Key.Keypad1] = (0x4F, 0x69),
        [Key.Keypad2] = (0x50, 0x72),
        [Key.Keypad3] = (0x51, 0x7A),
        [Key.Keypad0] = (0x52, 0x70),
        [Key.KeypadDecimal] = (0x53, 0x71),
        [Key.World1] = (0x56, 0x61), // the 102nd key of ISO keyboards, beside left Shift
        [Key.F11] = (0x57, 0x78),
        [Key.F12] = (0x58, 0x07),
        [Key.KeypadEnter] = (0xE01C, 0xE05A),
        [Key.RightControl] = (0xE01D, 0xE014),
        [Key.KeypadDivide] = (0xE035, 0xE04A),
        [Key.RightAlt] = (0xE038, 0xE011),
        [Key.Home] = (0xE047, 0xE06C),
        [Key.Up] = (0xE048, 0xE075),
        [Key.PageUp] = (0xE049, 0xE07D),
        [Key.Left] = (0xE04B, 0xE06B),
        [Key.Right] = (0xE04D, 0xE074),
        [Key.End] = (0xE04F, 0xE069),
        [Key.Down] = (0xE050, 0xE072),
        [Key.PageDown] = (0xE051, 0xE07A),
        [Key.Insert] = (0xE052, 0xE070),
        [Key.Delete] = (0xE053, 0xE071),
        [Key.LeftSuper] = (0xE05B, 0xE01F),
        [Key.RightSuper] = (0xE05C, 0xE027),
        [Key.Menu] = (0xE05D, 0xE02F),
    };

    /// <summary>True when the key has a PS/2 scancode.</summary>
    public static bool HasCode(Key key) => key is Key.PrintScreen or Key.Pause || Codes.ContainsKey(key);

    /// <summary>
    /// Writes the bytes the keyboard sends for <paramref name="action"/> on <paramref name="key"/> into
    /// <paramref name="destination"/> (at least <see cref="MaxSequenceLength"/> bytes) and returns how many.
    /// A repeat sends the make code again, as the keyboard's typematic repeat does.
    /// </summary>
    public static int Encode(Key key, KeyAction action, ScancodeSet set, Span<byte> destination)
    {
        bool release = action == KeyAction.Release;
        if (key == Key.Pause)
        {
            // Pause sends its whole press-and-release sequence on press, nothing on release, and does not repeat.
            if (action != KeyAction.Press)
            {
                return 0;
            }

            ReadOnlySpan<byte> pause = set == ScancodeSet.Set1 ? [0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5] : [0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77];
            pause.CopyTo(destination);
            return pause.Length;
        }

        if (key == Key.PrintScreen)
        {
            // Print Screen is sent as a fake left Shift (E0 2A / E0 12) followed by E0 37 / E0 7C.
            ReadOnlySpan<byte> sequence = (set, release) switch
            {
                (ScancodeSet.Set1, false) => [0xE0, 0x2A, 0xE0, 0x37],
                (ScancodeSet.Set1, true) => [0xE0, 0xB7, 0xE0, 0xAA],
                (_, false) => [0xE0, 0x12, 0xE0, 0x7C],
                (_, true) => [0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12],
            };
            sequence.CopyTo(destination);
            return sequence.Length;
        }

        if (!Codes.TryGetValue(key, out (ushort Set1, ushort Set2) codes))
        {
            return 0;
        }

        ushort code = set == ScancodeSet.Set1 ? codes.Set1 : codes.Set2;
        int n = 0;
        if (code > 0xFF)
        {
            destination[n++] = (byte)(code >> 8);
        }

        byte last = (byte)code;
        if (set == ScancodeSet.Set1)
        {
            destination[n++] = release ? (byte)(last | 0x80) : last;
        }
        else
        {
            if (release)
            {
                destination[n++] = 0xF0;
            }

            destination[n++] = last;
        }

        return n;
    }
}
