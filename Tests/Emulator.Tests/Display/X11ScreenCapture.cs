using System.Runtime.InteropServices;

namespace Emulator.Tests.Display;

/// <summary>
/// Reads pixels of an X server's root window with libX11's XGetImage: what the X server really shows, with
/// no ImageMagick or xwd needed. Pixels come back as 0x00RRGGBB (Xvfb's 24-bit TrueColor visual).
/// </summary>
internal static partial class X11ScreenCapture
{
    private const string LibX11 = "libX11.so.6";
    private const int ZPixmap = 2;

    /// <summary>Captures a rectangle of the root window of <paramref name="display"/> (for example ":93").</summary>
    public static uint[] Capture(string display, int x, int y, int width, int height)
    {
        nint connection = XOpenDisplay(display);
        if (connection == 0)
        {
            throw new InvalidOperationException("cannot connect to X display " + display);
        }

        try
        {
            nint image = XGetImage(connection, XDefaultRootWindow(connection), x, y, (uint)width, (uint)height, ulong.MaxValue, ZPixmap);
            if (image == 0)
            {
                throw new InvalidOperationException("XGetImage failed");
            }

            try
            {
                uint[] pixels = new uint[width * height];
                for (int row = 0; row < height; row++)
                {
                    for (int col = 0; col < width; col++)
                    {
                        pixels[(row * width) + col] = (uint)(XGetPixel(image, col, row) & 0xFF_FFFF);
                    }
                }

                return pixels;
            }
            finally
            {
                XDestroyImage(image);
            }
        }
        finally
        {
            XCloseDisplay(connection);
        }
    }

    [LibraryImport(LibX11, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint XOpenDisplay(string name);

    [LibraryImport(LibX11)]
    private static partial int XCloseDisplay(nint display);

    [LibraryImport(LibX11)]
    private static partial nuint XDefaultRootWindow(nint display);

    [LibraryImport(LibX11)]
    private static partial nint XGetImage(nint display, nuint drawable, int x, int y, uint width, uint height, ulong planeMask, int format);

    [LibraryImport(LibX11)]
    private static partial nuint XGetPixel(nint image, int x, int y);

    [LibraryImport(LibX11)]
    private static partial int XDestroyImage(nint image);
}
