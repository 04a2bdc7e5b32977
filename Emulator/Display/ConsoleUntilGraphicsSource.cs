namespace Emulator.Display;

/// <summary>
/// Shows the serial console until the guest sets a graphics mode, then the guest's framebuffer (and the
/// console again if the guest turns graphics off). The version is offset per source so that switching
/// between them always counts as a change.
/// </summary>
public sealed class ConsoleUntilGraphicsSource(IFrameSource console, IFrameSource? graphics) : IFrameSource
{
    private const long GraphicsVersionBit = 1L << 62;

    public FrameInfo Info
    {
        get
        {
            if (graphics is not null)
            {
                FrameInfo g = graphics.Info;
                if (g.HasPixels)
                {
                    return g with { Version = g.Version | GraphicsVersionBit };
                }
            }

            return console.Info;
        }
    }

    /// <summary>True while the guest's framebuffer is shown rather than the console.</summary>
    public bool ShowsGraphics => graphics is not null && graphics.Info.HasPixels;

    public bool TryCopyTo(Span<uint> destination, out FrameInfo copied)
    {
        if (graphics is not null && graphics.Info.HasPixels)
        {
            bool ok = graphics.TryCopyTo(destination, out copied);
            copied = copied with { Version = copied.Version | GraphicsVersionBit };
            return ok;
        }

        return console.TryCopyTo(destination, out copied);
    }
}
