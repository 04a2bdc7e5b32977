namespace Devices.Display;

/// <summary>The display's current video mode as the window and tests see it.</summary>
/// <param name="Enabled">VBE is on (otherwise the guest is in legacy VGA and nothing is shown).</param>
/// <param name="Width">Visible width in pixels.</param>
/// <param name="Height">Visible height in pixels.</param>
/// <param name="BitsPerPixel">8, 15, 16, 24 or 32.</param>
/// <param name="Stride">Bytes per line (from the virtual width).</param>
/// <param name="Offset">Byte offset of the visible top-left pixel in video memory.</param>
public readonly record struct DisplayMode(bool Enabled, int Width, int Height, int BitsPerPixel, int Stride, long Offset);
