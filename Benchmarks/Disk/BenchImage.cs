using System.Diagnostics;

namespace Benchmarks.Disk;

/// <summary>
/// The disk diskbench runs on: a 64 MiB raw file whose first 32 MiB are an ext2 file system (mke2fs -d) holding
/// /bench.bin (4 MiB), so that file: cases find their file made and disk: cases have the sectors past the file
/// system to themselves. qemu-diskbench.sh makes the same.
/// </summary>
public static class BenchImage
{
    public const long Bytes = 64L << 20;

    public static void Make(string path)
    {
        string root = Path.Combine(Path.GetTempPath(), $"emu-diskbench-root-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        File.WriteAllBytes(Path.Combine(root, "bench.bin"), Enumerable.Repeat((byte)'b', 4 << 20).ToArray());
        using (var f = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            f.SetLength(Bytes);
        }

        var psi = new ProcessStartInfo(File.Exists("/usr/sbin/mke2fs") ? "/usr/sbin/mke2fs" : "mke2fs")
        {
            ArgumentList = { "-q", "-F", "-t", "ext2", "-b", "1024", "-d", root, path, "32M" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot run mke2fs");
        p.WaitForExit();
        Directory.Delete(root, recursive: true);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException("mke2fs failed: " + p.StandardError.ReadToEnd());
        }
    }
}
