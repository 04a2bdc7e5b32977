using Emulator.Display;
using Emulator.Display.Imaging;

namespace Emulator.Tests.Display;

public class PngWriterTests
{
    [Fact]
    public void WrittenPngsReadBackPixelForPixel()
    {
        var source = new TestPatternSource(97, 61);
        uint[] pixels = new uint[97 * 61];
        Assert.True(source.TryCopyTo(pixels, out _));
        using var png = new MemoryStream();
        PngWriter.Write(png, 97, 61, pixels);
        png.Position = 0;
        (int width, int height, uint[] back) = PngReader.Read(png);
        Assert.Equal((97, 61), (width, height));
        Assert.Equal(pixels, back);
    }

    [Fact]
    public void TheFileStartsWithThePngSignatureAndHeaderChunkWithItsCrc()
    {
        using var png = new MemoryStream();
        PngWriter.Write(png, 1, 1, [0x00FF0000]);
        byte[] bytes = png.ToArray();
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);

        // CRC-32 of "IHDR" + 1x1, 8-bit RGB: the value every PNG encoder writes for this header.
        Assert.Equal(new byte[] { 0x90, 0x77, 0x53, 0xDE }, bytes[29..33]);
    }

    [Fact]
    public void FrameScreenshotSavesTheCurrentFrame()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-shot-{Environment.ProcessId}-{Guid.NewGuid():N}.png");
        try
        {
            var source = new TestPatternSource(40, 30);
            Assert.True(FrameScreenshot.Save(source, path));
            (int w, int h, uint[] pixels) = PngReader.Read(path);
            Assert.Equal((40, 30), (w, h));
            Assert.Equal(TestPatternSource.Pixel(39, 29, 40, 30), pixels[^1]);
            Assert.False(FrameScreenshot.Save(new TestPatternSource(0, 0), path + ".none"));
            Assert.False(File.Exists(path + ".none"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
