using System.Text;
using TestSupport;

namespace Guest.Tests.Disk;

/// <summary>
/// ext2fs and file: (test=fs) on emu and on QEMU with the same Mica image: read what mke2fs -d put in the
/// image, write from Mica, then e2fsck -fn on the host and read the files back with debugfs.
/// </summary>
public sealed class FileSystemTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mica-fs").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>The pattern fstest writes and checks in big files: byte i.</summary>
    private static byte Pattern(int i) => (byte)((i * 7) + (i / 1024));

    private static byte[] Big(int length) => [.. Enumerable.Range(0, length).Select(Pattern)];

    [Theory]
    [MemberData(nameof(DiskPlatform.Both), MemberType = typeof(DiskPlatform))]
    public void MicaReadsTheHostsFilesAndTheHostReadsMicas(string platform)
    {
        string root = Path.Combine(dir, "root");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "hello.txt"), "hello from the host\n");
        File.WriteAllBytes(Path.Combine(root, "big.bin"), Big(300 * 1024));
        string image = Path.Combine(dir, "fs.img");
        Ext2Tools.Make(image, root, 16);

        ProcessResult r = DiskPlatform.Boot(platform, "test=fs", image);
        DiskPlatform.AssertPassed(r, "fs");

        (int status, string fsck) = Ext2Tools.Check(image);
        Assert.True(status == 0, "e2fsck -fn found problems:\n" + fsck);
        Assert.Equal("first line\nsecond line\n", Encoding.ASCII.GetString(Ext2Tools.Read(image, "/mica/a.txt") ?? []));
        Assert.Equal("short\n", Encoding.ASCII.GetString(Ext2Tools.Read(image, "/mica/trunc.txt") ?? []));
        Assert.Equal("deep\n", Encoding.ASCII.GetString(Ext2Tools.Read(image, "/mica/sub/deep.txt") ?? []));
        Assert.Equal(Big(200 * 1024), Ext2Tools.Read(image, "/mica/big.bin"));
        Assert.Equal("file:/mica/f39-with-a-longer-name.txt", Encoding.ASCII.GetString(Ext2Tools.Read(image, "/mica/f39-with-a-longer-name.txt") ?? []));
        IReadOnlyList<string> names = Ext2Tools.List(image, "/mica");
        Assert.Contains("sub", names);
        Assert.DoesNotContain("sub2", names);
        Assert.DoesNotContain("gone.txt", names);
        Assert.Equal(Big(300 * 1024), Ext2Tools.Read(image, "/big.bin")); // untouched
    }

    [Theory]
    [MemberData(nameof(DiskPlatform.Both), MemberType = typeof(DiskPlatform))]
    public void TheShellsFileCommandsChangeTheDisk(string platform)
    {
        string root = Path.Combine(dir, "root");
        Directory.CreateDirectory(Path.Combine(root, "old"));
        File.WriteAllText(Path.Combine(root, "old", "x.txt"), "x\n");
        string image = Path.Combine(dir, "fs.img");
        Ext2Tools.Make(image, root, 8);
        string typed = "\r\r\rmkdir /docs\rwrite /docs/note.txt hello disk\rls /docs\rcat /docs/note.txt\rrm /old/x.txt\rrm /old\rls /\rpoweroff\r";

        ProcessResult r = DiskPlatform.Boot(platform, string.Empty, image, typed: typed);
        string com1 = r.StandardOutput.Replace("\r", string.Empty, StringComparison.Ordinal);
        Assert.Contains("mica: power off", com1);
        Assert.Contains("\nnote.txt\n", com1);     // ls /docs
        Assert.Contains("\nhello disk\n", com1);   // cat
        Assert.Contains("\ndocs/\n", com1);        // ls /
        Assert.DoesNotContain("\nold/\n", com1);
        (int status, string fsck) = Ext2Tools.Check(image);
        Assert.True(status == 0, "e2fsck -fn found problems:\n" + fsck);
        Assert.Equal("hello disk\n", Encoding.ASCII.GetString(Ext2Tools.Read(image, "/docs/note.txt") ?? []));
        Assert.DoesNotContain("old", Ext2Tools.List(image, "/"));
    }
}
