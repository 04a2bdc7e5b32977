namespace Emulator.Display.Layout;

/// <summary>
/// Where a frame goes in the window: as large as fits with the frame's aspect ratio kept, centred, with black
/// bars on the two sides that are left over (letterbox or pillarbox). With integer scaling the frame is drawn
/// at the largest whole multiple of its size that fits, so every guest pixel is the same number of host
/// pixels; a window smaller than the frame falls back to a fractional shrink.
/// </summary>
public static class ViewportLayout
{
    public static Viewport Fit(int windowWidth, int windowHeight, int frameWidth, int frameHeight, bool integerScaling)
    {
        if (windowWidth <= 0 || windowHeight <= 0 || frameWidth <= 0 || frameHeight <= 0)
        {
            return new Viewport(0, 0, Math.Max(0, windowWidth), Math.Max(0, windowHeight));
        }

        int width;
        int height;
        int wholeScale = Math.Min(windowWidth / frameWidth, windowHeight / frameHeight);
        if (integerScaling && wholeScale >= 1)
        {
            width = frameWidth * wholeScale;
            height = frameHeight * wholeScale;
        }
        else if ((long)windowWidth * frameHeight <= (long)windowHeight * frameWidth)
        {
            // The window is relatively narrower than the frame: full width, bars above and below.
            width = windowWidth;
            height = (int)Math.Max(1, ((long)windowWidth * frameHeight + (frameWidth / 2)) / frameWidth);
        }
        else
        {
            height = windowHeight;
            width = (int)Math.Max(1, ((long)windowHeight * frameWidth + (frameHeight / 2)) / frameHeight);
        }

        return new Viewport((windowWidth - width) / 2, (windowHeight - height) / 2, width, height);
    }
}
