using Xunit;

namespace TestSupport;

/// <summary>
/// Debian's stock kernel (<c>linux-image-amd64</c>) and <c>busybox-static</c>, downloaded with
/// <c>apt-get download</c> at test time into a cache outside the repository (nothing is committed) and
/// unpacked with <c>dpkg-deb</c>. Skips (fails under CI) when apt-get cannot fetch them.
/// </summary>
public sealed class DebianLinux
{
    private static readonly Lazy<DebianLinux?> Cached = new(Fetch);
    private static string? failure;

    private DebianLinux(string root, string kernel, string busybox, string modules)
    {
        Root = root;
        Kernel = kernel;
        Busybox = busybox;
        Modules = modules;
    }

    /// <summary>The directory the packages were unpacked into.</summary>
    public string Root { get; }

    /// <summary>The bzImage (<c>/boot/vmlinuz-*</c>).</summary>
    public string Kernel { get; }

    /// <summary>The static busybox binary.</summary>
    public string Busybox { get; }

    /// <summary>The kernel's module tree (<c>/lib/modules/VERSION</c>).</summary>
    public string Modules { get; }

    /// <summary>The kernel release, as <c>uname -r</c> prints it.</summary>
    public string Release => Path.GetFileName(Modules);

    /// <summary>The unpacked packages; skips the test (fails it under CI) when they cannot be had.</summary>
    public static DebianLinux Require()
    {
        DebianLinux? linux = Cached.Value;
        if (linux is not null)
        {
            return linux;
        }

        string reason = $"Debian's kernel and busybox could not be fetched: {failure}";
        if (ExternalTool.InCi)
        {
            Assert.Fail(reason);
        }

        Assert.Skip(reason);
        return null!;
    }

    /// <summary>
    /// An initramfs: busybox installed as /bin/busybox with its applets linked, /init running
    /// <paramref name="initScript"/>, and the listed kernel modules (paths under the module tree) in /lib/modules.
    /// </summary>
    public byte[] Initramfs(string initScript, IEnumerable<string>? modules = null)
    {
        var cpio = new CpioArchive()
            .Directory("bin").Directory("sbin").Directory("proc").Directory("sys").Directory("dev").Directory("tmp")
            .Directory("lib").Directory("lib/modules")
            .File("bin/busybox", File.ReadAllBytes(Busybox), executable: true)
            .Symlink("bin/sh", "busybox")
            .File("init", "#!/bin/busybox sh\n/bin/busybox --install -s\n" + initScript, executable: true);
        foreach (string module in modules ?? [])
        {
            cpio.File("lib/modules/" + Path.GetFileName(module), File.ReadAllBytes(Path.Combine(Modules, module)));
        }

        return cpio.ToArray();
    }

    private static DebianLinux? Fetch()
    {
        string? aptGet = ExternalTool.Find("apt-get");
        string? dpkgDeb = ExternalTool.Find("dpkg-deb");
        if (aptGet is null || dpkgDeb is null)
        {
            failure = "apt-get and dpkg-deb are needed";
            return null;
        }

        string cache = Path.Combine(
            Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
            "emu-tests", "debian");
        Directory.CreateDirectory(cache);
        string root = Path.Combine(cache, "root");
        string? kernel = FindKernel(root);
        if (kernel is null || !File.Exists(Path.Combine(root, "bin", "busybox")))
        {
            // The metapackage names the versioned kernel package; download that and busybox.
            ProcessResult depends = ExternalTool.Run("apt-cache", ["depends", "linux-image-amd64"], TimeSpan.FromMinutes(1));
            string? image = depends.StandardOutput.Split('\n')
                .Select(l => l.Trim())
                .Where(l => l.StartsWith("Depends: linux-image-", StringComparison.Ordinal))
                .Select(l => l["Depends: ".Length..])
                .FirstOrDefault();
            if (image is null)
            {
                failure = "apt-cache does not know linux-image-amd64 (run apt-get update)";
                return null;
            }

            ProcessResult download = ExternalTool.Run("/bin/sh", ["-c", $"cd '{cache}' && apt-get download {image} busybox-static"], TimeSpan.FromMinutes(10));
            if (download.ExitCode != 0)
            {
                failure = "apt-get download failed: " + download.StandardError.Trim();
                return null;
            }

            foreach (string deb in Directory.GetFiles(cache, "*.deb"))
            {
                ProcessResult unpack = ExternalTool.Run(dpkgDeb, ["-x", deb, root], TimeSpan.FromMinutes(5));
                if (unpack.ExitCode != 0)
                {
                    failure = $"dpkg-deb -x {deb} failed: {unpack.StandardError.Trim()}";
                    return null;
                }
            }

            kernel = FindKernel(root);
        }

        string modules = Directory.GetDirectories(Path.Combine(root, "lib", "modules")).Single();
        return kernel is null ? null : new DebianLinux(root, kernel, Path.Combine(root, "bin", "busybox"), modules);
    }

    private static string? FindKernel(string root)
    {
        string boot = Path.Combine(root, "boot");
        return Directory.Exists(boot) ? Directory.GetFiles(boot, "vmlinuz-*").FirstOrDefault() : null;
    }
}
