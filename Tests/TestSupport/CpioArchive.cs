using System.Text;

namespace TestSupport;

/// <summary>
/// Writes a cpio archive in the "newc" format (ASCII headers, magic 070701), the format Linux unpacks
/// as an initramfs (Documentation/driver-api/early-userspace/buffer-format.rst). Uncompressed.
/// </summary>
public sealed class CpioArchive
{
    private const int DirectoryMode = 0x4000;
    private const int FileMode = 0x8000;
    private const int SymlinkMode = 0xA000;

    private readonly MemoryStream output = new();
    private int inode = 1;

    public CpioArchive Directory(string path) => Entry(path, DirectoryMode | 0x1ED, []);

    public CpioArchive File(string path, byte[] data, bool executable = false) =>
        Entry(path, FileMode | (executable ? 0x1ED : 0x1A4), data);

    public CpioArchive File(string path, string text, bool executable = false) => File(path, Encoding.UTF8.GetBytes(text), executable);

    public CpioArchive Symlink(string path, string target) => Entry(path, SymlinkMode | 0x1FF, Encoding.UTF8.GetBytes(target));

    /// <summary>The archive with its TRAILER!!! entry.</summary>
    public byte[] ToArray()
    {
        Entry("TRAILER!!!", 0, []);
        return output.ToArray();
    }

    private CpioArchive Entry(string path, int mode, byte[] data)
    {
        byte[] name = Encoding.UTF8.GetBytes(path + "\0");
        var header = new StringBuilder("070701");
        foreach (int field in new[] { inode++, mode, 0, 0, 1, 0, data.Length, 0, 0, 0, 0, name.Length, 0 })
        {
            header.Append(field.ToString("X8"));
        }

        output.Write(Encoding.ASCII.GetBytes(header.ToString()));
        output.Write(name);
        Pad();
        output.Write(data);
        Pad();
        return this;
    }

    private void Pad()
    {
        while (output.Length % 4 != 0)
        {
            output.WriteByte(0);
        }
    }
}
