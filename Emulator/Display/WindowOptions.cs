namespace Emulator.Display;

/// <summary>How the window starts.</summary>
/// <param name="Title">The title bar's text before the counters are appended.</param>
/// <param name="Width">Initial client width in pixels.</param>
/// <param name="Height">Initial client height in pixels.</param>
/// <param name="IntegerScaling">Scale by whole multiples only (host key + I toggles it).</param>
/// <param name="ShowOverlay">Show the counters overlay from the start (host key + O toggles it).</param>
/// <param name="ScreenshotDirectory">Where host key + S saves PNGs (the current directory when null).</param>
public sealed record WindowOptions(
    string Title = "emu",
    int Width = 1024,
    int Height = 768,
    bool IntegerScaling = false,
    bool ShowOverlay = false,
    string? ScreenshotDirectory = null);
