namespace Emulator.Display.Imaging;

/// <summary>Saves what a frame source shows now as a PNG: the screenshot shortcut and <c>--screenshot FILE</c>.</summary>
public static class FrameScreenshot
{
    /// <summary>Writes the current frame to <paramref name="path"/>; false (and no file) when there is no frame.</summary>
    public static bool Save(IFrameSource source, string path)
    {
        FrameInfo info = source.Info;
        if (!info.HasPixels)
        {
            return false;
        }

        // The frame may grow between Info and the copy (a mode change): try again with the new size.
        for (int attempt = 0; attempt < 3; attempt++)
        {
            uint[] pixels = new uint[info.PixelCount];
            if (source.TryCopyTo(pixels, out FrameInfo copied))
            {
                PngWriter.Save(path, copied.Width, copied.Height, pixels);
                return true;
            }

            info = source.Info;
            if (!info.HasPixels)
            {
                return false;
            }
        }

        return false;
    }
}
