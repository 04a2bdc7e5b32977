namespace Emulator.Display.Keyboard;

/// <summary>The emulator's own commands, typed as host key (right Ctrl) plus a letter.</summary>
public enum HostShortcut
{
    None,

    /// <summary>Host+P: pause or resume the guest.</summary>
    TogglePause,

    /// <summary>Host+R: reset the machine.</summary>
    Reset,

    /// <summary>Host+S: save the current frame as a PNG.</summary>
    Screenshot,

    /// <summary>Host+O: show or hide the counters overlay.</summary>
    ToggleOverlay,

    /// <summary>Host+I: switch integer scaling on or off.</summary>
    ToggleIntegerScaling,

    /// <summary>Host+Q: power the machine off (as closing the window does).</summary>
    PowerOff,
}
