using Emulator.Cli;
using Emulator.Display.Imaging;
using TestSupport;

namespace Emulator.Tests.Display;

/// <summary>
/// Debian's stock kernel in emu's window under Xvfb: its own bochs-drm driver sets a mode on emu's Bochs
/// display and draws the framebuffer console, and keys typed into the window reach a shell on that console
/// through Linux's i8042 and atkbd drivers.
/// </summary>
public sealed class LinuxInTheWindowTests
{
    private const string Ready = "emu-linux: window shell ready";
    private const string Marker = "keys-typed-in-the-window";

    /// <summary>bochs-drm and the DRM modules it needs, in load order (paths in the kernel's module tree).</summary>
    private static readonly string[] DrmModules =
    [
        "kernel/drivers/gpu/drm/drm.ko",
        "kernel/drivers/gpu/drm/drm_kms_helper.ko",
        "kernel/drivers/gpu/drm/ttm/ttm.ko",
        "kernel/drivers/gpu/drm/drm_ttm_helper.ko",
        "kernel/drivers/gpu/drm/drm_vram_helper.ko",
        "kernel/drivers/gpu/drm/tiny/bochs.ko",
    ];

    [Fact]
    public void BochsDrmDrawsTheConsoleAndTheWindowsKeysReachItsShell()
    {
        DebianLinux linux = DebianLinux.Require();
        using XvfbServer x = XvfbServer.Start(1280, 1024);
        string xdotool = ExternalTool.Require("xdotool", "the end-to-end test types into the window");
        string initrd = Path.Combine(Path.GetTempPath(), $"emu-linux-window-{Environment.ProcessId}.cpio");
        string shot = Path.Combine(Path.GetTempPath(), $"emu-linux-window-{Environment.ProcessId}.png");
        string insmods = string.Concat(DrmModules.Select(m => $"insmod /lib/modules/{Path.GetFileName(m)}\n"));
        File.WriteAllBytes(initrd, linux.Initramfs(
            "mount -t proc proc /proc\nmount -t sysfs sys /sys\nmount -t devtmpfs dev /dev\n" + insmods +
            "setsid sh -c 'exec sh </dev/tty1 >/dev/tty1 2>&1' &\n" +
            $"echo '{Ready}'\nexec setsid cttyhack sh\n",
            DrmModules));
        try
        {
            using var emu = EmuProcess.Start(x.Display, "run", linux.Kernel, "--initrd", initrd, "--append", "console=ttyS0 nokaslr",
                "--clock", "deterministic", "--screenshot", shot);
            emu.WaitForCom1(Ready, patience: TimeSpan.FromMinutes(10));
            emu.WaitForCom1("bochs-drm", patience: TimeSpan.FromMinutes(1));

            x.Xdotool(xdotool, "mousemove", "100", "100");
            x.Xdotool(xdotool, "type", "--delay", "40", $"echo {Marker} >/dev/ttyS0");
            x.Xdotool(xdotool, "key", "Return");
            emu.WaitForCom1(Marker, patience: TimeSpan.FromMinutes(2));

            x.Xdotool(xdotool, "key", "Control_R+q");
            Assert.Equal(ExitStatus.WindowClosed, emu.WaitForExit());

            // The screenshot is the framebuffer bochs-drm set up (its default mode is 1024x768), with the
            // console's text on it: more than one colour.
            (int w, int h, uint[] pixels) = PngReader.Read(shot);
            Assert.Equal((1024, 768), (w, h));
            Assert.True(pixels.Distinct().Count() > 1, "the framebuffer console is blank\n" + emu.Describe());
        }
        finally
        {
            File.Delete(initrd);
            File.Delete(shot);
        }
    }
}
