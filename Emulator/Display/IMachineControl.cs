namespace Emulator.Display;

/// <summary>
/// What the window asks of the running machine. Called on the window's thread; the machine must carry the
/// request out on its own thread (set a flag its run loop checks) and return at once.
/// </summary>
public interface IMachineControl
{
    /// <summary>True while the guest is paused.</summary>
    bool IsPaused { get; }

    /// <summary>Pauses or resumes the guest (host key + P).</summary>
    void SetPaused(bool paused);

    /// <summary>Resets the machine, as the reset button does (host key + R).</summary>
    void Reset();

    /// <summary>The window was closed (or host key + Q): stop the machine cleanly; the run ends as powered off.</summary>
    void PowerOff();
}
