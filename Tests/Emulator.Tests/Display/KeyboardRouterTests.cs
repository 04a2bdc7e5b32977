using Emulator.Display.Keyboard;

namespace Emulator.Tests.Display;

public class KeyboardRouterTests
{
    [Fact]
    public void KeysGoToTheGuestInTheSetTheKeyboardUses()
    {
        var sink = new RecordingKeyboard(ScancodeSet.Set2);
        var router = new KeyboardRouter(sink);
        router.Handle(Key.LeftShift, KeyAction.Press);
        router.Handle(Key.A, KeyAction.Press);
        router.Handle(Key.A, KeyAction.Repeat);
        router.Handle(Key.A, KeyAction.Release);
        sink.Set = ScancodeSet.Set1;
        router.Handle(Key.LeftShift, KeyAction.Release);
        Assert.Equal(["12", "1C", "1C", "F01C", "AA"], sink.Events);
    }

    [Fact]
    public void HostKeyPlusLetterIsAShortcutAndTheGuestSeesNothing()
    {
        var sink = new RecordingKeyboard();
        var router = new KeyboardRouter(sink);
        Assert.Equal(HostShortcut.None, router.Handle(Key.RightControl, KeyAction.Press));
        Assert.True(router.HostKeyHeld);
        Assert.Equal(HostShortcut.TogglePause, router.Handle(Key.P, KeyAction.Press));
        Assert.Equal(HostShortcut.None, router.Handle(Key.P, KeyAction.Repeat));
        Assert.Equal(HostShortcut.None, router.Handle(Key.P, KeyAction.Release));
        Assert.Equal(HostShortcut.Screenshot, router.Handle(Key.S, KeyAction.Press));
        Assert.Equal(HostShortcut.None, router.Handle(Key.RightControl, KeyAction.Release));
        Assert.False(router.HostKeyHeld);
        Assert.Empty(sink.Events);
    }

    [Theory]
    [InlineData(Key.P, HostShortcut.TogglePause)]
    [InlineData(Key.R, HostShortcut.Reset)]
    [InlineData(Key.S, HostShortcut.Screenshot)]
    [InlineData(Key.O, HostShortcut.ToggleOverlay)]
    [InlineData(Key.I, HostShortcut.ToggleIntegerScaling)]
    [InlineData(Key.Q, HostShortcut.PowerOff)]
    [InlineData(Key.X, HostShortcut.None)]
    public void ShortcutLetters(Key key, HostShortcut expected) => Assert.Equal(expected, KeyboardRouter.ShortcutFor(key));

    [Fact]
    public void AKeyHeldBeforeTheHostKeyStillGetsItsBreakCode()
    {
        var sink = new RecordingKeyboard();
        var router = new KeyboardRouter(sink);
        router.Handle(Key.W, KeyAction.Press);
        router.Handle(Key.RightControl, KeyAction.Press);
        router.Handle(Key.W, KeyAction.Release);
        router.Handle(Key.RightControl, KeyAction.Release);
        Assert.Equal(["1D", "F01D"], sink.Events);
    }

    [Fact]
    public void ReleasesAndRepeatsOfKeysTheGuestNeverSawPressedAreDropped()
    {
        var sink = new RecordingKeyboard();
        var router = new KeyboardRouter(sink);
        router.Handle(Key.RightControl, KeyAction.Press);
        router.Handle(Key.D, KeyAction.Press);
        router.Handle(Key.RightControl, KeyAction.Release);
        router.Handle(Key.D, KeyAction.Repeat);
        router.Handle(Key.D, KeyAction.Release);
        Assert.Empty(sink.Events);
    }

    [Fact]
    public void LosingFocusReleasesEveryKeyTheGuestHoldsDown()
    {
        var sink = new RecordingKeyboard();
        var router = new KeyboardRouter(sink);
        router.Handle(Key.LeftControl, KeyAction.Press);
        router.Handle(Key.RightAlt, KeyAction.Press);
        router.ReleaseAll();
        router.ReleaseAll();
        Assert.Equal(["14", "E011"], sink.Events.Take(2));
        Assert.Equal(["E0F011", "F014"], sink.Events.Skip(2).Order(StringComparer.Ordinal));
    }
}
