namespace Emulator.Display;

/// <summary>The geometry of a frame and a counter that changes whenever its pixels or geometry change.</summary>
/// <param name="Width">Width in pixels (0 when there is no frame).</param>
/// <param name="Height">Height in pixels (0 when there is no frame).</param>
/// <param name="Version">Changes on every write to the frame; equal versions mean equal pixels.</param>
public readonly record struct FrameInfo(int Width, int Height, long Version)
{
    /// <summary>True when there is something to show.</summary>
    public bool HasPixels => Width > 0 && Height > 0;

    /// <summary>Pixels in the frame.</summary>
    public int PixelCount => Width * Height;
}
