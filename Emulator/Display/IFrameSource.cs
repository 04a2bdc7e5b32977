namespace Emulator.Display;

/// <summary>
/// A picture the window can show: the guest's linear framebuffer, or the serial console rendered as text.
/// The window reads <see cref="Info"/> every frame and copies pixels only when <see cref="FrameInfo.Version"/>
/// changed, so an idle guest costs no upload. Implementations are read from the window's thread while the
/// machine writes on its own: <see cref="TryCopyTo"/> reports the geometry it actually copied.
/// </summary>
public interface IFrameSource
{
    /// <summary>The current size and content version; a width or height of 0 means there is nothing to show.</summary>
    FrameInfo Info { get; }

    /// <summary>
    /// Copies the current frame into <paramref name="destination"/> as <c>Width * Height</c> pixels, row by
    /// row without padding, each 0x00RRGGBB (the bytes B, G, R, X in memory: 32 bpp BGRX). Returns false,
    /// copying nothing, when the destination is too small for the current frame or there is no frame.
    /// </summary>
    bool TryCopyTo(Span<uint> destination, out FrameInfo copied);
}
