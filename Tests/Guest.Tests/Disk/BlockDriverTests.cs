using System.Text;
using TestSupport;

namespace Guest.Tests.Disk;

/// <summary>blkd and disk: (test=disk): sectors the host wrote are read, sectors Mica wrote and flushed are in the file.</summary>
public sealed class BlockDriverTests : IDisposable
{
    private const int ImageBytes = 8 << 20;
    private readonly string image = Path.Combine(Path.GetTempPath(), $"mica-disk-{Guid.NewGuid():N}.img");

    public void Dispose() => File.Delete(image);

    [Theory]
    [MemberData(nameof(DiskPlatform.Both), MemberType = typeof(DiskPlatform))]
    public void ReadsTheHostsSectorsAndItsFlushedWritesReachTheFile(string platform)
    {
        byte[] content = new byte[ImageBytes];
        for (int k = 0; k < 8; k++)
        {
            Encoding.ASCII.GetBytes($"sector {k}").CopyTo(content, k * 512);
        }

        File.WriteAllBytes(image, content);
        ProcessResult r = DiskPlatform.Boot(platform, "test=disk", image);
        DiskPlatform.AssertPassed(r, "disk");
        Assert.Contains("[blkd] ready", r.StandardOutput);
        byte[] after = File.ReadAllBytes(image);
        for (int k = 0; k < 8; k++)
        {
            byte[] want = new byte[512];
            Encoding.ASCII.GetBytes($"mica {k}").CopyTo(want, 0);
            Assert.Equal(want, after.AsSpan(ImageBytes - ((8 - k) * 512), 512).ToArray());
        }

        Assert.Equal(content.AsSpan(0, ImageBytes - 4096).ToArray(), after.AsSpan(0, ImageBytes - 4096).ToArray());
    }
}
