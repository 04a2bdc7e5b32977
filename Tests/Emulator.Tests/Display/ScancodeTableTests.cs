using Emulator.Display.Keyboard;

namespace Emulator.Tests.Display;

public class ScancodeTableTests
{
    [Theory]
    [InlineData(Key.A, ScancodeSet.Set1, KeyAction.Press, new byte[] { 0x1E })]
    [InlineData(Key.A, ScancodeSet.Set1, KeyAction.Release, new byte[] { 0x9E })]
    [InlineData(Key.A, ScancodeSet.Set2, KeyAction.Press, new byte[] { 0x1C })]
    [InlineData(Key.A, ScancodeSet.Set2, KeyAction.Release, new byte[] { 0xF0, 0x1C })]
    [InlineData(Key.Enter, ScancodeSet.Set2, KeyAction.Press, new byte[] { 0x5A })]
    [InlineData(Key.Escape, ScancodeSet.Set1, KeyAction.Press, new byte[] { 0x01 })]
    [InlineData(Key.F7, ScancodeSet.Set2, KeyAction.Press, new byte[] { 0x83 })]
    [InlineData(Key.F12, ScancodeSet.Set1, KeyAction.Release, new byte[] { 0xD8 })]
    [InlineData(Key.LeftShift, ScancodeSet.Set2, KeyAction.Press, new byte[] { 0x12 })]
    [InlineData(Key.RightShift, ScancodeSet.Set1, KeyAction.Press, new byte[] { 0x36 })]
    [InlineData(Key.RightControl, ScancodeSet.Set1, KeyAction.Press, new byte[] { 0xE0, 0x1D })]
    [InlineData(Key.RightControl, ScancodeSet.Set1, KeyAction.Release, new byte[] { 0xE0, 0x9D })]
    [InlineData(Key.RightAlt, ScancodeSet.Set2, KeyAction.Press, new byte[] { 0xE0, 0x11 })]
    [InlineData(Key.RightAlt, ScancodeSet.Set2, KeyAction.Release, new byte[] { 0xE0, 0xF0, 0x11 })]
    [InlineData(Key.Up, ScancodeSet.Set1, KeyAction.Press, new byte[] { 0xE0, 0x48 })]
    [InlineData(Key.Up, ScancodeSet.Set2, KeyAction.Release, new byte[] { 0xE0, 0xF0, 0x75 })]
    [InlineData(Key.KeypadEnter, ScancodeSet.Set2, KeyAction.Press, new byte[] { 0xE0, 0x5A })]
    [InlineData(Key.KeypadDivide, ScancodeSet.Set1, KeyAction.Press, new byte[] { 0xE0, 0x35 })]
    [InlineData(Key.Delete, ScancodeSet.Set2, KeyAction.Press, new byte[] { 0xE0, 0x71 })]
    [InlineData(Key.LeftSuper, ScancodeSet.Set1, KeyAction.Press, new byte[] { 0xE0, 0x5B })]
    public void KeyEventsBecomeTheirScancodes(Key key, ScancodeSet set, KeyAction action, byte[] expected)
    {
        Assert.Equal(expected, Encode(key, action, set));
    }

    [Fact]
    public void RepeatSendsTheMakeCodeAgain()
    {
        Assert.Equal(Encode(Key.Z, KeyAction.Press, ScancodeSet.Set2), Encode(Key.Z, KeyAction.Repeat, ScancodeSet.Set2));
        Assert.Equal(new byte[] { 0xE0, 0x4B }, Encode(Key.Left, KeyAction.Repeat, ScancodeSet.Set1));
    }

    [Fact]
    public void PrintScreenIsAFakeShiftAndE0Sequence()
    {
        Assert.Equal(new byte[] { 0xE0, 0x2A, 0xE0, 0x37 }, Encode(Key.PrintScreen, KeyAction.Press, ScancodeSet.Set1));
        Assert.Equal(new byte[] { 0xE0, 0xB7, 0xE0, 0xAA }, Encode(Key.PrintScreen, KeyAction.Release, ScancodeSet.Set1));
        Assert.Equal(new byte[] { 0xE0, 0x12, 0xE0, 0x7C }, Encode(Key.PrintScreen, KeyAction.Press, ScancodeSet.Set2));
        Assert.Equal(new byte[] { 0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12 }, Encode(Key.PrintScreen, KeyAction.Release, ScancodeSet.Set2));
    }

    [Fact]
    public void PauseSendsEverythingOnPressAndNothingOnRelease()
    {
        Assert.Equal(new byte[] { 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5 }, Encode(Key.Pause, KeyAction.Press, ScancodeSet.Set1));
        Assert.Equal(new byte[] { 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77 }, Encode(Key.Pause, KeyAction.Press, ScancodeSet.Set2));
        Assert.Empty(Encode(Key.Pause, KeyAction.Release, ScancodeSet.Set2));
        Assert.Empty(Encode(Key.Pause, KeyAction.Repeat, ScancodeSet.Set1));
    }

    [Fact]
    public void KeysWithoutAPs2CodeSendNothing()
    {
        Assert.False(ScancodeTable.HasCode(Key.KeypadEqual));
        Assert.Empty(Encode(Key.KeypadEqual, KeyAction.Press, ScancodeSet.Set2));
        Assert.Empty(Encode(Key.Unknown, KeyAction.Press, ScancodeSet.Set1));
    }

    [Fact]
    public void Set1BreakCodesAreMakeCodesWithBit7AndNoMakeCodeHasBit7()
    {
        foreach (Key key in Enum.GetValues<Key>())
        {
            if (key is Key.Pause or Key.PrintScreen || !ScancodeTable.HasCode(key))
            {
                continue;
            }

            byte[] make = Encode(key, KeyAction.Press, ScancodeSet.Set1);
            byte[] release = Encode(key, KeyAction.Release, ScancodeSet.Set1);
            Assert.True(make[^1] < 0x80, $"{key} set-1 make {make[^1]:X2}");
            Assert.Equal(make[..^1], release[..^1]);
            Assert.Equal(make[^1] | 0x80, release[^1]);
        }
    }

    [Fact]
    public void Set1AndSet2CodesAreEachUniqueAcrossKeys()
    {
        var set1 = new Dictionary<string, Key>();
        var set2 = new Dictionary<string, Key>();
        foreach (Key key in Enum.GetValues<Key>())
        {
            if (!ScancodeTable.HasCode(key) || key == Key.Pause)
            {
                continue;
            }

            Assert.True(set1.TryAdd(Convert.ToHexString(Encode(key, KeyAction.Press, ScancodeSet.Set1)), key), $"{key} shares a set-1 code");
            Assert.True(set2.TryAdd(Convert.ToHexString(Encode(key, KeyAction.Press, ScancodeSet.Set2)), key), $"{key} shares a set-2 code");
        }

        Assert.True(set1.Count > 100);
    }

    private static byte[] Encode(Key key, KeyAction action, ScancodeSet set)
    {
        Span<byte> buffer = stackalloc byte[ScancodeTable.MaxSequenceLength];
        int n = ScancodeTable.Encode(key, action, set, buffer);
        return buffer[..n].ToArray();
    }
}
