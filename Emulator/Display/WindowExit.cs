namespace Emulator.Display;

/// <summary>Why <see cref="WindowFrontEnd.Run"/> returned.</summary>
public enum WindowExit
{
    /// <summary>The user closed the window (or typed host key + Q); <see cref="IMachineControl.PowerOff"/> was called.</summary>
    ClosedByUser,

    /// <summary>The machine stopped by itself and called <see cref="WindowFrontEnd.RequestClose"/>.</summary>
    MachineStopped,
}
