using TestSupport;

namespace Guest.Tests.Disk;

/// <summary>The host's ext2 tools (e2fsprogs): make an image from a directory, check it, read files out of it.</summary>
public static class Ext2Tools
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>mke2fs -t ext2 -b 1024 -d <paramref name="from"/>: a <paramref name="megabytes"/> MiB image.</summary>
    public static void Make(string image, string from, int megabytes)
    {
        ProcessResult r = ExternalTool.Run(Tool("mke2fs"), ["-q", "-F", "-t", "ext2", "-b", "1024", "-d", from, image, $"{megabytes}M"], Limit);
        Assert.True(r.ExitCode == 0, "mke2fs: " + r.StandardError);
    }

    /// <summary>e2fsck -fn: the exit status (0 = clean) and what it said.</summary>
    public static (int Status, string Output) Check(string image)
    {
        ProcessResult r = ExternalTool.Run(Tool("e2fsck"), ["-fn", image], Limit);
        return (r.ExitCode, r.StandardOutput + r.StandardError);
    }

    /// <summary>The bytes of <paramref name="path"/> in the image (debugfs dump), or null when it is not there.</summary>
    public static byte[]? Read(string image, string path)
    {
        string output = Path.GetTempFileName();
        try
        {
            File.Delete(output);
            ExternalTool.Run(Tool("debugfs"), ["-R", $"dump {path} {output}", image], Limit);
            return File.Exists(output) ? File.ReadAllBytes(output) : null;
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>The names in a directory of the image (debugfs ls -p).</summary>
    public static IReadOnlyList<string> List(string image, string directory)
    {
        ProcessResult r = ExternalTool.Run(Tool("debugfs"), ["-R", $"ls -p {directory}", image], Limit);
        return [.. r.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('/'))
            .Where(f => f.Length > 5 && f[5].Length > 0)
            .Select(f => f[5])];
    }

    private static string Tool(string name) =>
        ExternalTool.Find(name) ?? (File.Exists("/usr/sbin/" + name) ? "/usr/sbin/" + name : File.Exists("/sbin/" + name) ? "/sbin/" + name : null)
        ?? ExternalTool.Require(name, "e2fsprogs: the disk tests make and check ext2 images with it");
}
