namespace Emulator.Display;

/// <summary>A window that opened, or the one-line reason it could not.</summary>
public sealed record WindowStartResult(WindowFrontEnd? Window, string? FailureReason)
{
    public bool Started => Window is not null;
}
